package dev.skiff.virtiofs.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.p9.fs.mapped.Mapped;
import dev.skiff.sys.OpenFlags;
import dev.skiff.virtiofs.wire.Fuse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any FileSystem serves FUSE: the mapped backend has no descriptor, so READ goes through
 * OpenFile's default copy and a truncate through the handle falls back to the node.
 */
class MappedBackendTest {
    @TempDir Path dir;

    @Test
    void createWriteReadTruncateThroughTheMappedBackend() throws Exception {
        try (Mapped fs = new Mapped(dir);
                FuseClient c = new FuseClient(new FuseSession(fs, false, CachePolicy.COHERENT, FuseLimits.DEFAULT))) {
            c.init().ok();
            long[] f = c.create(Fuse.ROOT_ID, "m", OpenFlags.O_RDWR | OpenFlags.O_CREAT, 0100640);
            byte[] data = "mapped backend".getBytes(StandardCharsets.UTF_8);
            assertEquals(data.length, c.write(f[1], 0, data).ok().body().getInt(0));
            assertArrayEquals(data, c.read(f[1], 0, 100).ok().bytes());
            assertEquals(6, FuseClient.attr(c.setattr(f[0], Fuse.FATTR_SIZE | Fuse.FATTR_FH, f[1], 6, 0, 0, 0)).size());
            assertArrayEquals("mapped".getBytes(StandardCharsets.UTF_8), c.read(f[1], 0, 100).ok().bytes());
            assertEquals(0100640, FuseClient.attr(c.getattr(f[0])).mode());
            c.release(f[1], false).ok();
        }
    }
}
