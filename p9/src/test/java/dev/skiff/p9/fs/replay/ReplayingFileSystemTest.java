package dev.skiff.p9.fs.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.p9.fs.Caller;
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
 * guest agent's replay (its requests made as {@link #REPLAYER}) sees the state before it, its
 * matching operation is acknowledged, and the host's files are left exactly as the host made them;
 * every other client sees and changes the host as it is, during a replay too.
 */
class ReplayingFileSystemTest {
    /** The uid the agent replays as, here; a container's requests come as root (0) or any other uid. */
    static final int REPLAYER = 0x7ffffffe;

    @TempDir
    Path dir;
    private ReplayingFileSystem fs;

    @BeforeEach
    void open() throws Exception {
        fs = new ReplayingFileSystem(new Passthrough(dir), Duration.ofSeconds(2), REPLAYER);
    }

    /** The modification time {@link #hostFile} has. */
    static final FileTime OLD = FileTime.fromMillis(1_000_000_000_000L);

    /** The host's file "f", holding "data", last modified at {@link #OLD}. */
    private Path hostFile() throws Exception {
        Path f = dir.resolve("f");
        Files.writeString(f, "data");
        Files.setLastModifiedTime(f, OLD);
        return f;
    }

    /** Runs {@code op} as the agent's replay. */
    static <T> T replaying(Caller.Op<T, Exception> op) throws Exception {
        return Caller.as(REPLAYER, op);
    }

    /** Runs {@code op} as a container's request (root in the guest). */
    static <T> T container(Caller.Op<T, Exception> op) throws Exception {
        return Caller.as(0, op);
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
    void aCreatedFileIsAbsentForTheReplayUntilItMakesItThenTheHostsFileIsReturnedUntouched() throws Exception {
        Files.writeString(dir.resolve("new"), "host content");
        try (var replay = fs.expect(List.of(new HostChange.Created("new", false)))) {
            replaying(() -> {
                assertEquals(Errno.ENOENT, errno(() -> fs.walk(fs.root(), "new")));
                try (Node made = fs.mknod(fs.root(), "new", 0100600, 0, 0, 0, 0)) {
                    assertEquals(Files.getAttribute(dir.resolve("new"), "unix:ino"), made.ino());
                }
                return null;
            });
            assertEquals(List.of(), replay.skipped());
        }
        assertEquals("host content", Files.readString(dir.resolve("new")));
        // consumed: the name is real again; a container's mknod reaches the host (and fails there),
        // a second one of the replay's is refused without reaching it
        try (Node n = fs.walk(fs.root(), "new")) {
            assertEquals(Errno.EEXIST, errno(() -> container(() -> fs.mknod(fs.root(), "new", 0100600, 0, 0, 0, 0))));
            assertEquals(Errno.EPERM, errno(() -> replaying(() -> fs.mknod(fs.root(), "new", 0100600, 0, 0, 0, 0))));
        }
    }

    @Test
    void theNameTheReplayMadeIsFoundByItsNextWalkEvenIfTheHostMovesItOnMeanwhile() throws Exception {
        // the guest's mknod walks to the name it made right after; a container in another VM may
        // rename the file on the host in between (CI met this race)
        Files.writeString(dir.resolve("new"), "host content");
        long ino = (long) Files.getAttribute(dir.resolve("new"), "unix:ino");
        try (var replay = fs.expect(List.of(new HostChange.Created("new", false), new HostChange.Modified("new")))) {
            replaying(() -> {
                fs.mknod(fs.root(), "new", 0100644, 0, 0, 0, 0).close();
                try (Node n = fs.walk(fs.root(), "new")) {
                    assertEquals(ino, n.ino(), "the host's file while it is there");
                    fs.setattr(n, new SetAttr(P9.SETATTR_MTIME, 0, 0, 0, 0, 0, 0, 0, 0)); // the batch's next change
                }
                Files.move(dir.resolve("new"), dir.resolve("moved"));
                try (Node n = fs.walk(fs.root(), "new")) {
                    assertEquals(ReplayingFileSystem.PHANTOM_INO, n.ino(), "a phantom once the host moved it");
                }
                return null;
            });
            assertEquals(Errno.ENOENT, errno(() -> container(() -> fs.walk(fs.root(), "new"))), "only the replay sees it");
        }
        assertEquals(Errno.ENOENT, errno(() -> replaying(() -> fs.walk(fs.root(), "new"))), "until the replay ends");
        assertEquals("host content", Files.readString(dir.resolve("moved")));
    }

    @Test
    void whileAReplayIsAwaitedAContainerSeesAndChangesTheHostAsItIs() throws Exception {
        Files.writeString(dir.resolve("new"), "host content");
        Files.writeString(dir.resolve("written"), "old");
        long ino = (long) Files.getAttribute(dir.resolve("new"), "unix:ino");
        try (var replay = fs.expect(List.of(new HostChange.Created("new", false), new HostChange.Deleted("gone", false),
                new HostChange.Written("written")))) {
            container(() -> {
                try (Node n = fs.walk(fs.root(), "new")) {
                    assertEquals(ino, n.ino(), "a file the host has just made is there at once");
                }
                assertEquals(Errno.ENOENT, errno(() -> fs.walk(fs.root(), "gone")), "no phantom but for the replay");
                try (Node n = fs.walk(fs.root(), "written"); OpenFile o = fs.open(n, P9.DOTL_WRONLY | P9.DOTL_TRUNC)) {
                    o.write(0, "mine".getBytes());
                }
                return null;
            });
            assertEquals("mine", Files.readString(dir.resolve("written")), "a container's write is not taken for the replay's");
            replaying(() -> {
                assertEquals(Errno.ENOENT, errno(() -> fs.walk(fs.root(), "new")));
                try (Node gone = fs.walk(fs.root(), "gone")) {
                    assertEquals(ReplayingFileSystem.PHANTOM_INO, gone.ino());
                }
                try (Node n = fs.walk(fs.root(), "written"); OpenFile o = fs.open(n, P9.DOTL_WRONLY)) {
                    assertEquals(Errno.EBADF, errno(() -> o.write(0, new byte[] {1})), "the replay's open is acknowledged");
                }
                fs.mknod(fs.root(), "new", 0100644, 0, 0, 0, 0).close();
                fs.unlink(fs.root(), "gone", false);
                return null;
            });
        }
        assertEquals("host content", Files.readString(dir.resolve("new")));
        assertEquals("mine", Files.readString(dir.resolve("written")));
    }

    @Test
    void theReplayChangesNothingOnTheHostThatWasNotAwaited() throws Exception {
        Path f = hostFile();
        replaying(() -> {
            assertEquals(Errno.EPERM, errno(() -> fs.mknod(fs.root(), "x", 0100644, 0, 0, 0, 0)));
            assertEquals(Errno.EPERM, errno(() -> fs.mkdir(fs.root(), "d", 0755, 0, 0)));
            assertEquals(Errno.EPERM, errno(() -> fs.create(fs.root(), "c", P9.DOTL_WRONLY | P9.DOTL_CREATE, 0644, 0, 0)));
            assertEquals(Errno.EPERM, errno(() -> fs.rename(fs.root(), "f", fs.root(), "g")));
            assertEquals(Errno.EPERM, errno(() -> fs.unlink(fs.root(), "f", false)));
            try (Node n = fs.walk(fs.root(), "f")) {
                assertEquals(Errno.EPERM, errno(() -> fs.setattr(n, new SetAttr(P9.SETATTR_MTIME, 0, 0, 0, 0, 0, 0, 0, 0))));
                assertEquals(Errno.EPERM, errno(() -> fs.open(n, P9.DOTL_WRONLY | P9.DOTL_TRUNC)));
                assertEquals(Errno.EPERM, errno(() -> fs.setxattr(n, "user.x", new byte[] {1}, 0)));
                try (OpenFile o = fs.open(n, P9.DOTL_RDONLY)) {
                    assertTrue(o != null, "reading is no change");
                }
            }
            return null;
        });
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
        assertEquals("data", Files.readString(f));
        assertEquals(OLD, Files.getLastModifiedTime(f));
    }

    @Test
    void aDeletedNameIsShownAsAPhantomUntilTheReplayUnlinksIt() throws Exception {
        Files.createDirectory(dir.resolve("sub"));
        try (var replay = fs.expect(List.of(new HostChange.Deleted("sub/gone", false),
                new HostChange.Deleted("olddir", true)))) {
            replaying(() -> {
                try (Node sub = fs.walk(fs.root(), "sub"); Node gone = fs.walk(sub, "gone")) {
                    assertEquals(0100000, fs.getattr(gone).mode() & 0170000);
                    assertEquals(Errno.ENOENT, errno(() -> fs.open(gone, P9.DOTL_RDONLY)));
                    fs.unlink(sub, "gone", false);
                    assertEquals(Errno.ENOENT, errno(() -> fs.walk(sub, "gone")), "consumed once");
                }
                try (Node d = fs.walk(fs.root(), "olddir")) {
                    assertEquals(0040000, fs.getattr(d).mode() & 0170000);
                }
                return null;
            });
        }
        assertEquals(Errno.ENOENT, errno(() -> replaying(() -> fs.walk(fs.root(), "olddir"))),
                "withdrawn when the replay closed");
    }

    @Test
    void aMoveShowsTheFileAtItsOldNameAndTheRenameIsAcknowledged() throws Exception {
        Files.writeString(dir.resolve("b"), "moved");
        long ino = (long) Files.getAttribute(dir.resolve("b"), "unix:ino");
        try (var replay = fs.expect(List.of(new HostChange.Moved("a", "b", false)))) {
            replaying(() -> {
                try (Node a = fs.walk(fs.root(), "a")) {
                    assertEquals(ino, a.ino());
                }
                assertEquals(Errno.ENOENT, errno(() -> fs.walk(fs.root(), "b")));
                fs.rename(fs.root(), "a", fs.root(), "b");
                return null;
            });
        }
        assertEquals("moved", Files.readString(dir.resolve("b")));
        assertFalse(Files.exists(dir.resolve("a")));
    }

    @Test
    void modifiedAndWrittenFilesAreAcknowledgedWithoutChangingTheHostsTimesOrContent() throws Exception {
        Path f = hostFile();
        try (var replay = fs.expect(List.of(new HostChange.Modified("f"), new HostChange.Written("f")))) {
            replaying(() -> {
                try (Node n = fs.walk(fs.root(), "f")) {
                    fs.setattr(n, new SetAttr(P9.SETATTR_MTIME, 0, 0, 0, 0, 0, 0, 0, 0));
                    try (OpenFile o = fs.open(n, P9.DOTL_WRONLY | P9.DOTL_TRUNC)) {
                        assertEquals(Errno.EBADF, errno(() -> o.write(0, new byte[] {1})));
                    }
                }
                return null;
            });
        }
        assertEquals(OLD, Files.getLastModifiedTime(f));
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
            replaying(() -> {
                assertEquals(Errno.ENOENT, errno(() -> fs.walk(fs.root(), "brief")));
                try (Node made = fs.mknod(fs.root(), "brief", 0100644, 0, 0, 0, 0); Node seen = fs.walk(fs.root(), "brief")) {
                    assertEquals(ReplayingFileSystem.PHANTOM_INO, made.ino());
                    assertEquals(ReplayingFileSystem.PHANTOM_INO, seen.ino());
                }
                fs.unlink(fs.root(), "brief", false);
                return null;
            });
        }
        assertFalse(Files.exists(dir.resolve("brief")));
    }

    @Test
    void aFileTheHostRemovedBeforeItsCreateIsReplayedStillGetsItsCreate() throws Exception {
        // the deletion comes in a later batch: the guest's mknod and its walk to the new name both succeed
        try (var replay = fs.expect(List.of(new HostChange.Created("gone-already", false)))) {
            replaying(() -> {
                try (Node made = fs.mknod(fs.root(), "gone-already", 0100644, 0, 0, 0, 0);
                        Node seen = fs.walk(fs.root(), "gone-already")) {
                    assertEquals(0100000, fs.getattr(seen).mode() & 0170000);
                }
                return null;
            });
        }
        assertEquals(Errno.ENOENT, errno(() -> replaying(() -> fs.walk(fs.root(), "gone-already"))),
                "the phantom ends with the replay");
    }

    @Test
    void aChangeWhosePathNoLongerResolvesIsSkipped() {
        try (var replay = fs.expect(List.of(new HostChange.Created("no/such/dir/x", false),
                new HostChange.Modified("../escape"), new HostChange.Modified("nofile")))) {
            assertEquals(3, replay.skipped().size());
        }
    }
}
