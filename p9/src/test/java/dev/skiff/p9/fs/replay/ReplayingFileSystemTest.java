package dev.skiff.p9.fs.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.p9.fs.Node;
import dev.skiff.p9.fs.OpenFile;
import dev.skiff.p9.fs.SetAttr;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.wire.P9;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server half of a replay, over a real passthrough export: while a host change is expected the
 * guest sees the state before it, the matching operation is acknowledged, and the host's files are
 * left exactly as the host made them.
 */
class ReplayingFileSystemTest {
    @TempDir
    Path dir;
    private ReplayingFileSystem fs;

    @BeforeEach
    void open() throws Exception {
        fs = new ReplayingFileSystem(new Passthrough(dir), Duration.ofSeconds(2));
    }

    @AfterEach
    void close() throws Exception {
        fs.close();
    }

    private static int errno(ThrowingRunnable r) {
        return assertThrows(ErrnoException.class, r::run).errno();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aCreatedFileIsAbsentUntilTheGuestMakesItThenTheHostsFileIsReturnedUntouched() throws Exception {
        Files.writeString(dir.resolve("new"), "host content");
        try (var replay = fs.expect(List.of(new HostChange.Created("new", false)))) {
            assertEquals(Errno.ENOENT, errno(() -> fs.walk(fs.root(), "new")));
            try (Node made = fs.mknod(fs.root(), "new", 0100600, 0, 0, 0, 0)) {
                assertEquals(Files.getAttribute(dir.resolve("new"), "unix:ino"), made.ino());
            }
            assertEquals(List.of(), replay.skipped());
        }
        assertEquals("host content", Files.readString(dir.resolve("new")));
        // consumed: the name is real again, and a second mknod reaches the host (and fails there)
        try (Node n = fs.walk(fs.root(), "new")) {
            assertEquals(Errno.EEXIST, errno(() -> fs.mknod(fs.root(), "new", 0100600, 0, 0, 0, 0)));
        }
    }

    @Test
    void aDeletedNameIsShownAsAPhantomUntilTheGuestUnlinksIt() throws Exception {
        Files.createDirectory(dir.resolve("sub"));
        try (var replay = fs.expect(List.of(new HostChange.Deleted("sub/gone", false),
                new HostChange.Deleted("olddir", true)))) {
            try (Node sub = fs.walk(fs.root(), "sub"); Node gone = fs.walk(sub, "gone")) {
                assertEquals(0100000, fs.getattr(gone).mode() & 0170000);
                assertEquals(Errno.ENOENT, errno(() -> fs.open(gone, P9.DOTL_RDONLY)));
                fs.unlink(sub, "gone", false);
                assertEquals(Errno.ENOENT, errno(() -> fs.walk(sub, "gone")), "consumed once");
            }
            try (Node d = fs.walk(fs.root(), "olddir")) {
                assertEquals(0040000, fs.getattr(d).mode() & 0170000);
            }
        }
        assertEquals(Errno.ENOENT, errno(() -> fs.walk(fs.root(), "olddir")), "withdrawn when the replay closed");
    }

    @Test
    void aMoveShowsTheFileAtItsOldNameAndTheRenameIsAcknowledged() throws Exception {
        Files.writeString(dir.resolve("b"), "moved");
        long ino = (long) Files.getAttribute(dir.resolve("b"), "unix:ino");
        try (var replay = fs.expect(List.of(new HostChange.Moved("a", "b", false)))) {
            try (Node a = fs.walk(fs.root(), "a")) {
                assertEquals(ino, a.ino());
            }
            assertEquals(Errno.ENOENT, errno(() -> fs.walk(fs.root(), "b")));
            fs.rename(fs.root(), "a", fs.root(), "b");
        }
        assertEquals("moved", Files.readString(dir.resolve("b")));
        assertFalse(Files.exists(dir.resolve("a")));
    }

    @Test
    void modifiedAndWrittenFilesAreAcknowledgedWithoutChangingTheHostsTimesOrContent() throws Exception {
        Path f = dir.resolve("f");
        Files.writeString(f, "data");
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(f, old);
        try (var replay = fs.expect(List.of(new HostChange.Modified("f"), new HostChange.Written("f")))) {
            try (Node n = fs.walk(fs.root(), "f")) {
                fs.setattr(n, new SetAttr(P9.SETATTR_MTIME, 0, 0, 0, 0, 0, 0, 0, 0));
                try (OpenFile o = fs.open(n, P9.DOTL_WRONLY | P9.DOTL_TRUNC)) {
                    assertEquals(Errno.EBADF, errno(() -> o.write(0, new byte[] {1})));
                }
            }
        }
        assertEquals(old, Files.getLastModifiedTime(f));
        assertEquals("data", Files.readString(f));
        assertFalse(fs.ownChanges().changedFile(0, 0));
    }

    @Test
    void theServersOwnChangesAreJournaledForTheHostWatcher() throws Exception {
        var created = fs.create(fs.root(), "mine", P9.DOTL_WRONLY | P9.DOTL_CREATE, 0644, -1, -1);
        created.file().write(0, new byte[] {1, 2});
        created.file().close();
        Node root = fs.root();
        assertTrue(fs.ownChanges().addedName(root.dev(), root.ino(), "mine"));
        assertFalse(fs.ownChanges().removedName(root.dev(), root.ino(), "mine"), "made, not removed");
        assertTrue(fs.ownChanges().changedFile(created.node().dev(), created.node().ino()));
        assertFalse(fs.ownChanges().addedName(root.dev(), root.ino(), "other"));
        created.node().close();
        Files.writeString(dir.resolve("host"), "x");
        try (Node h = fs.walk(root, "host")) {
            assertFalse(fs.ownChanges().changedFile(h.dev(), h.ino()), "reading is not a change");
        }
    }

    @Test
    void aFileMadeAndRemovedWithinOneBatchIsReplayedAsBothThroughAPhantom() throws Exception {
        try (var replay = fs.expect(List.of(new HostChange.Created("brief", false), new HostChange.Deleted("brief", false)))) {
            assertEquals(Errno.ENOENT, errno(() -> fs.walk(fs.root(), "brief")));
            try (Node made = fs.mknod(fs.root(), "brief", 0100644, 0, 0, 0, 0); Node seen = fs.walk(fs.root(), "brief")) {
                assertEquals(ReplayingFileSystem.PHANTOM_INO, made.ino());
                assertEquals(ReplayingFileSystem.PHANTOM_INO, seen.ino());
            }
            fs.unlink(fs.root(), "brief", false);
        }
        assertFalse(Files.exists(dir.resolve("brief")));
    }

    @Test
    void aFileTheHostRemovedBeforeItsCreateIsReplayedStillGetsItsCreate() throws Exception {
        // the deletion comes in a later batch: the guest's mknod and its walk to the new name both succeed
        try (var replay = fs.expect(List.of(new HostChange.Created("gone-already", false)))) {
            try (Node made = fs.mknod(fs.root(), "gone-already", 0100644, 0, 0, 0, 0);
                    Node seen = fs.walk(fs.root(), "gone-already")) {
                assertEquals(0100000, fs.getattr(seen).mode() & 0170000);
            }
        }
        assertEquals(Errno.ENOENT, errno(() -> fs.walk(fs.root(), "gone-already")), "the phantom ends with the replay");
    }

    @Test
    void aChangeWhosePathNoLongerResolvesIsSkipped() {
        try (var replay = fs.expect(List.of(new HostChange.Created("no/such/dir/x", false),
                new HostChange.Modified("../escape"), new HostChange.Modified("nofile")))) {
            assertEquals(3, replay.skipped().size());
        }
    }
}
