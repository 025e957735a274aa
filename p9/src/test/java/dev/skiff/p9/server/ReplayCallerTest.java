package dev.skiff.p9.server;

import static dev.skiff.p9.server.FidOpsTest.errno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.fs.replay.HostChange;
import dev.skiff.p9.fs.replay.ReplayingFileSystem;
import dev.skiff.p9.wire.P9;
import dev.skiff.sys.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 9P request acts for the uid its fid's Tattach named, as the Linux client's access=client makes
 * them (one attach per fsuid): on one connection, the replay's attach misses a name the host has
 * just made while everyone else's sees it, and only the replay's mknod is acknowledged.
 */
class ReplayCallerTest {
    static final int REPLAYER = 0x7ffffffe;
    static final int CONTAINER_ROOT = 0, REPLAY_ROOT = 1;

    @TempDir Path tmp;

    @Test
    void theReplaysAttachAloneSeesTheFolderAsItWasBeforeTheHostsChange() throws Exception {
        Path export = Files.createDirectories(tmp.resolve("export"));
        ReplayingFileSystem fs = new ReplayingFileSystem(new Passthrough(export), Duration.ofSeconds(2), REPLAYER);
        try (Harness h = new Harness(tmp, fs, export, false, null, Limits.DEFAULT)) {
            P9Client c = h.connect();
            c.version(P9.MAX_MSIZE);
            c.attach(CONTAINER_ROOT, P9.NOFID, "", "", 0);
            c.attach(REPLAY_ROOT, P9.NOFID, "", "", REPLAYER);
            Files.writeString(export.resolve("new"), "host content");
            try (var replay = fs.expect(List.of(new HostChange.Created("new", false)))) {
                assertEquals(1, c.walk(CONTAINER_ROOT, 10, "new").size(), "a container finds the host's new file");
                assertEquals("host content", new String(readAll(c, 10)));
                assertEquals(Errno.ENOENT, errno(() -> c.walk(REPLAY_ROOT, 11, "new")));
                c.walk(REPLAY_ROOT, 12); // the folder, as the replay's mknod names it
                c.mknod(12, "new", 0100644, 0, 0, 0);
                assertEquals(Errno.EEXIST, errno(() -> c.mknod(CONTAINER_ROOT, "new", 0100644, 0, 0, 0)),
                        "a container's mknod reaches the host");
                assertEquals(Errno.EPERM, errno(() -> c.mknod(12, "other", 0100644, 0, 0, 0)),
                        "the replay makes nothing it was not asked to");
            }
            assertEquals("host content", Files.readString(export.resolve("new")));
            assertFalse(Files.exists(export.resolve("other")));
        }
    }

    private static byte[] readAll(P9Client c, int fid) throws Exception {
        c.lopen(fid, P9.DOTL_RDONLY);
        return c.read(fid, 0, 4096);
    }
}
