package dev.skiff.erofs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory is bounded by metadata, not file sizes: a 384 MiB file plus 5000 small files convert in a JVM whose
 * heap is 24 MiB.
 */
class BoundedMemoryTest {
    @TempDir
    Path tmp;

    @Test
    void aLayerFarLargerThanTheHeapConverts() throws Exception {
        Path out = tmp.resolve("big.erofs");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long big = (384L << 20) + 1234;
        ErofsTools.Result r = ErofsTools.run(List.of(java, "-Xmx24m", "-cp", System.getProperty("java.class.path"),
                GeneratedLayer.class.getName(), out.toString(), "5000", Long.toString(big)));
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().strip().startsWith("5002 "), r.output());
        assertTrue(Files.size(out) > big);
        ErofsTools.fsck(out);
        assertEquals(Long.toString(big), ErofsTools.dump(out, "/big").get("Size"));
    }
}
