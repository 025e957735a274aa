package dev.skiff.image.initrd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CpioWriterTest {
    @TempDir
    Path tmp;

    private InitrdTree tree() throws IOException {
        InitrdTree t = new InitrdTree();
        t.file("/opt/java/bin/java", Files.writeString(tmp.resolve("java"), "elf"), 0755, "java");
        t.symlink("/lib64/ld.so", "/lib/x86_64-linux-gnu/ld.so", "libc");
        t.file("/etc/a", Files.writeString(tmp.resolve("a"), "12345"), 0644, "etc");
        t.dir("/proc", "layout");
        return t;
    }

    private byte[] write(InitrdTree t) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new CpioWriter(out, 1234).write(t);
        return out.toByteArray();
    }

    @Test
    void archiveReadsBackWithSortedEntriesParentsFirstAndFixedMetadata() throws IOException {
        byte[] bytes = write(tree());
        List<String> names = new ArrayList<>();
        try (CpioArchiveInputStream in = new CpioArchiveInputStream(new ByteArrayInputStream(bytes))) {
            CpioArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                names.add(e.getName());
                assertEquals(0, e.getUID());
                assertEquals(0, e.getGID());
                assertEquals(1234, e.getTime(), "mtime in seconds");
                if (e.getName().equals("etc/a")) {
                    assertArrayEquals("12345".getBytes(), in.readAllBytes());
                    assertEquals(0100644, e.getMode());
                }
                if (e.getName().equals("lib64/ld.so")) {
                    assertEquals(0120777, e.getMode());
                    assertEquals("/lib/x86_64-linux-gnu/ld.so", new String(in.readAllBytes()));
                }
            }
        }
        assertEquals(List.of("etc", "etc/a", "lib64", "lib64/ld.so", "opt", "opt/java", "opt/java/bin",
                "opt/java/bin/java", "proc"), names);
    }

    @Test
    void sameTreeGivesSameBytes() throws IOException {
        assertArrayEquals(write(tree()), write(tree()));
    }

    @Test
    void entriesAreFourByteAligned() throws IOException {
        byte[] bytes = write(tree());
        assertEquals(0, bytes.length % 4);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        for (int at = text.indexOf("070701"); at >= 0; at = text.indexOf("070701", at + 1)) {
            assertEquals(0, at % 4, "header at " + at);
        }
    }

    @Test
    void treeRefusesRelativeAndDotDotPaths() {
        InitrdTree t = new InitrdTree();
        assertThrows(IllegalArgumentException.class, () -> t.dir("etc", "x"));
        assertThrows(IllegalArgumentException.class, () -> t.dir("/etc/../x", "x"));
    }

    @Test
    void sizeBreakdownCountsFileBytesPerComponent() throws IOException {
        var sizes = tree().sizeByComponent();
        assertEquals(3L, sizes.get("java"));
        assertEquals(5L, sizes.get("etc"));
        assertTrue(sizes.containsKey("layout"));
    }
}
