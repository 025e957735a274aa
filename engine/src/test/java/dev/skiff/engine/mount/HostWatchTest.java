package dev.skiff.engine.mount;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.AgentProtocol;
import dev.skiff.p9.fs.Node;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.fs.replay.HostChange;
import dev.skiff.p9.fs.replay.OwnChanges;
import dev.skiff.p9.fs.replay.ReplayingFileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The host side of inotify replay, on real inotify over temporary folders. */
class HostWatchTest {
    @TempDir
    Path dir;
    private final HostWatch watch = new HostWatch(100);

    @AfterEach
    void close() {
        watch.close();
    }

    /** What a share's guest was asked to replay, one change at a time. */
    private static final class Recorder implements HostWatch.Sink {
        final LinkedBlockingQueue<HostChange> got = new LinkedBlockingQueue<>();

        @Override
        public void replay(List<HostChange> changes) {
            got.addAll(changes);
        }

        /** Changes until one matches {@code last} (the watcher batches; this only waits for delivery). */
        List<HostChange> until(Predicate<HostChange> last) throws InterruptedException {
            List<HostChange> out = new ArrayList<>();
            while (true) {
                HostChange c = got.poll(10, TimeUnit.SECONDS);
                if (c == null) {
                    throw new AssertionError("no matching change; got " + out);
                }
                out.add(c);
                if (last.test(c)) {
                    return out;
                }
            }
        }
    }

    private static OwnChanges nobody() {
        return new OwnChanges(Duration.ofSeconds(2));
    }

    @Test
    void aFilesLifeOnTheHostArrivesInOrderWithItsRenamePaired() throws Exception {
        Recorder r = new Recorder();
        watch.watch(dir, nobody(), r);
        Files.writeString(dir.resolve("a"), "one");
        Files.writeString(dir.resolve("a"), "two", java.nio.file.StandardOpenOption.APPEND);
        Files.move(dir.resolve("a"), dir.resolve("b"));
        Files.delete(dir.resolve("b"));
        List<HostChange> got = r.until(c -> c instanceof HostChange.Deleted);
        assertEquals(new HostChange.Created("a", false), got.getFirst(), got.toString());
        assertTrue(got.contains(new HostChange.Moved("a", "b", false)), got.toString());
        assertEquals(new HostChange.Deleted("b", false), got.getLast(), got.toString());
        assertTrue(got.stream().noneMatch(c -> c instanceof HostChange.Modified m && m.path().equals("b")), got.toString());
    }

    @Test
    void aWriteIsReportedAsModifiedAndWrittenOnceEachPerBatch() throws Exception {
        Files.writeString(dir.resolve("f"), "");
        Recorder r = new Recorder();
        watch.watch(dir, nobody(), r);
        try (var out = Files.newOutputStream(dir.resolve("f"))) {
            for (int i = 0; i < 50; i++) {
                out.write(i);
                out.flush();
            }
        }
        List<HostChange> got = r.until(c -> c instanceof HostChange.Written);
        assertTrue(got.contains(new HostChange.Modified("f")), got.toString());
        assertTrue(got.size() < 20, "merged: " + got);
    }

    @Test
    void aNewFolderIsWatchedAtOnceAndWhatAppearedInItBeforeIsReported() throws Exception {
        Recorder r = new Recorder();
        watch.watch(dir, nobody(), r);
        Files.createDirectories(dir.resolve("x/y/z"));
        Files.writeString(dir.resolve("x/y/z/early"), "");
        List<HostChange> got = r.until(c -> c.equals(new HostChange.Created("x/y/z/early", false)));
        assertEquals(new HostChange.Created("x", true), got.getFirst());
        assertTrue(got.contains(new HostChange.Created("x/y", true)) && got.contains(new HostChange.Created("x/y/z", true)),
                got.toString());
        Files.writeString(dir.resolve("x/y/z/late"), "");
        r.until(c -> c.equals(new HostChange.Created("x/y/z/late", false)));
        Files.move(dir.resolve("x/y"), dir.resolve("moved"));
        r.until(c -> c.equals(new HostChange.Moved("x/y", "moved", true)));
        Files.writeString(dir.resolve("moved/z/after"), "");
        r.until(c -> c.equals(new HostChange.Created("moved/z/after", false)));
    }

    @Test
    void aSharesOwnChangesAreNotEchoedToItButReachTheOtherShareOfTheFolder() throws Exception {
        try (ReplayingFileSystem fs = new ReplayingFileSystem(new Passthrough(dir), Duration.ofSeconds(5),
                AgentProtocol.REPLAY_UID)) {
            Recorder mine = new Recorder(), other = new Recorder();
            watch.watch(dir, fs.ownChanges(), mine);
            watch.watch(dir, nobody(), other);
            try (Node n = fs.mkdir(fs.root(), "made-by-the-guest", 0755, -1, -1)) {
                var c = fs.create(fs.root(), "written-by-the-guest", dev.skiff.p9.wire.P9.DOTL_WRONLY
                        | dev.skiff.p9.wire.P9.DOTL_CREATE, 0644, -1, -1);
                c.file().write(0, new byte[] {1});
                c.file().close();
                c.node().close();
            }
            List<HostChange> seen = other.until(c -> c instanceof HostChange.Written);
            assertTrue(seen.contains(new HostChange.Created("made-by-the-guest", true)), seen.toString());
            Files.writeString(dir.resolve("by-the-host"), "");
            List<HostChange> echo = mine.until(c -> c.equals(new HostChange.Created("by-the-host", false)));
            assertEquals(List.of(new HostChange.Created("by-the-host", false)), echo.subList(0, 1), echo.toString());
            assertFalse(echo.stream().anyMatch(c -> c.toString().contains("-by-the-guest")), echo.toString());
        }
    }

    @Test
    void aNameTheShareJustMadeAndSomeoneElseRemovedIsReplayedAsDeleted() throws Exception {
        try (ReplayingFileSystem fs = new ReplayingFileSystem(new Passthrough(dir), Duration.ofSeconds(30),
                AgentProtocol.REPLAY_UID)) {
            Recorder mine = new Recorder();
            watch.watch(dir, fs.ownChanges(), mine);
            try (Node n = fs.mkdir(fs.root(), "made-here", 0755, -1, -1)) {
                Files.delete(dir.resolve("made-here")); // another VM (or the host) removes it at once
            }
            List<HostChange> got = mine.until(c -> c instanceof HostChange.Deleted);
            assertEquals(List.of(new HostChange.Deleted("made-here", true)), got, "its making is the echo, its removal is not");
        }
    }

    @Test
    void theBindOfOneFileWatchesItsFolderAloneAndHearsThatFileOnly() throws Exception {
        Files.createDirectories(dir.resolve("big/tree/below"));
        Files.writeString(dir.resolve("config"), "a=1");
        Recorder r = new Recorder();
        watch.watch(dir, "config", nobody(), r);
        assertEquals(1, watch.watches(), "the folder of the file, not the tree below it");
        Files.writeString(dir.resolve("other"), "x");
        Files.writeString(dir.resolve("big/tree/below/deep"), "x");
        Files.writeString(dir.resolve("config"), "a=2");
        List<HostChange> got = r.until(c -> c instanceof HostChange.Written);
        assertTrue(got.stream().allMatch(c -> c.toString().contains("path=config")), got.toString());
        assertTrue(got.contains(new HostChange.Modified("config")), got.toString());
    }

    @Test
    void foldersPastTheLimitAreNotWatchedAndAClosedShareLetsGoOfItsWatches() throws Exception {
        HostWatch small = new HostWatch(2);
        try {
            Files.createDirectories(dir.resolve("a/b/c"));
            Recorder r = new Recorder();
            HostWatch.Share s = small.watch(dir, nobody(), r);
            assertEquals(2, small.watches());
            Files.writeString(dir.resolve("a/b/c/deep"), "");
            Files.writeString(dir.resolve("a/shallow"), "");
            List<HostChange> got = r.until(c -> c.equals(new HostChange.Created("a/shallow", false)));
            assertFalse(got.toString().contains("deep"), got.toString());
            s.close();
            assertEquals(0, small.watches());
        } finally {
            small.close();
        }
    }
}
