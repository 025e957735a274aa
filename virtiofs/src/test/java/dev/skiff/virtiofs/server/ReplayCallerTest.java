package dev.skiff.virtiofs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.fs.replay.HostChange;
import dev.skiff.p9.fs.replay.ReplayingFileSystem;
import dev.skiff.sys.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FUSE request header's uid is who the replay layer serves: a lookup from the replay's uid sees
 * the folder as it was before the host's change, one from anyone else sees the host as it is.
 */
class ReplayCallerTest {
    static final int REPLAYER = 0x7ffffffe;

    @TempDir Path dir;

    @Test
    void onlyTheReplaysLookupsMissANameTheHostHasJustMade() throws Exception {
        Files.writeString(dir.resolve("new"), "host content");
        try (ReplayingFileSystem fs = new ReplayingFileSystem(new Passthrough(dir), Duration.ofSeconds(2), REPLAYER);
                var replay = fs.expect(List.of(new HostChange.Created("new", false)))) {
            FuseClient c = new FuseClient(new FuseSession(fs, false, CachePolicy.COHERENT, FuseLimits.DEFAULT));
            c.init().ok();
            c.uid = 0;
            assertEquals(Files.getAttribute(dir.resolve("new"), "unix:ino"), FuseClient.entry(c.lookup(1, "new")).ino());
            c.uid = REPLAYER;
            assertEquals(-Errno.ENOENT, c.lookup(1, "new").error());
            c.uid = 1000;
            assertEquals(0, c.lookup(1, "new").error(), "any other uid sees it");
            c.close();
        }
        assertEquals("host content", Files.readString(dir.resolve("new")));
    }
}
