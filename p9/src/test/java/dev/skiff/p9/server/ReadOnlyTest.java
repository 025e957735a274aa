package dev.skiff.p9.server;

import static dev.skiff.p9.server.FidOpsTest.errno;
import static dev.skiff.p9.server.Harness.ROOT;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Tmessage.Tsetattr;
import dev.skiff.sys.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A read-only export refuses every change with EROFS in the server itself; reads still work. */
class ReadOnlyTest {
    @TempDir Path tmp;

    @Test
    void everyChangeIsEROFS() throws Exception {
        try (Harness h = Harness.passthrough(tmp, true, null, Limits.DEFAULT)) {
            Files.writeString(h.export.resolve("f"), "data");
            Files.createDirectory(h.export.resolve("d"));
            P9Client c = h.attach();
            c.walk(ROOT, 1, "f");
            assertEquals(Errno.EROFS, errno(() -> c.lopen(1, P9.DOTL_WRONLY)));
            assertEquals(Errno.EROFS, errno(() -> c.lopen(1, P9.DOTL_RDONLY | P9.DOTL_TRUNC)));
            assertEquals(Errno.EROFS, errno(() -> c.lcreate(ROOT, "n", P9.DOTL_CREATE | P9.DOTL_WRONLY, 0644, 0)));
            assertEquals(Errno.EROFS, errno(() -> c.mkdir(ROOT, "n", 0755, 0)));
            assertEquals(Errno.EROFS, errno(() -> c.mknod(ROOT, "n", 010644, 0, 0, 0)));
            assertEquals(Errno.EROFS, errno(() -> c.symlink(ROOT, "n", "f", 0)));
            assertEquals(Errno.EROFS, errno(() -> c.link(ROOT, 1, "n")));
            assertEquals(Errno.EROFS, errno(() -> c.renameat(ROOT, "f", ROOT, "n")));
            assertEquals(Errno.EROFS, errno(() -> c.rename(1, ROOT, "n")));
            assertEquals(Errno.EROFS, errno(() -> c.unlinkat(ROOT, "f", 0)));
            assertEquals(Errno.EROFS, errno(() -> c.setattr(new Tsetattr(1, P9.SETATTR_MODE, 0777, 0, 0, 0, 0, 0, 0, 0))));
            assertEquals(Errno.EROFS, errno(() -> c.xattrcreate(1, "user.x", 1, 0)));
            c.walk(ROOT, 2, "d");
            assertEquals(Errno.EROFS, errno(() -> c.remove(2)));
            assertEquals(Errno.EBADF, errno(() -> c.getattr(2)), "Tremove still clunks");
            c.lopen(1, P9.DOTL_RDONLY);
            assertEquals("data", new String(c.read(1, 0, 10)));
            assertEquals(P9.LOCK_SUCCESS, c.lock(1, P9.LOCK_TYPE_RDLCK, 0, 0, 0), "read locks are not changes");
            c.walk(ROOT, 3, "d");
            c.lopen(3, P9.DOTL_RDONLY | P9.DOTL_DIRECTORY);
            assertFalse(c.readdir(3, 0, 4096).isEmpty());
            assertTrue(Files.exists(h.export.resolve("f")) && Files.exists(h.export.resolve("d")));
            assertEquals("data", Files.readString(h.export.resolve("f")));
        }
    }
}
