package dev.skiff.virtiofs.server;

import static dev.skiff.virtiofs.server.FuseClient.cat;
import static dev.skiff.virtiofs.server.FuseClient.le;
import static dev.skiff.virtiofs.server.FuseClient.name;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.sys.Errno;
import dev.skiff.sys.OpenFlags;
import dev.skiff.virtiofs.wire.Fuse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A session's life against Passthrough over a temporary folder, request by request as the guest kernel sends them. */
class FuseSessionTest {
    @TempDir Path dir;
    Passthrough fs;
    FuseClient c;

    @BeforeEach
    void start() throws IOException {
        fs = new Passthrough(dir);
        c = new FuseClient(new FuseSession(fs, false, CachePolicy.COHERENT, FuseLimits.DEFAULT));
    }

    @AfterEach
    void stop() {
        c.close();
        fs.close();
    }

    @Test
    void initGrantsWhatWeOfferAndNoCaching() {
        ByteBuffer b = c.init().ok().body();
        assertEquals(7, b.getInt(0));
        assertTrue(b.getInt(4) >= 31);
        int flags = b.getInt(12);
        assertEquals(FuseSession.OFFERED, flags);
        assertEquals(0, flags & (Fuse.WRITEBACK_CACHE | Fuse.SETXATTR_EXT), "no writeback cache, no SETXATTR_EXT");
        assertEquals(1 << 20, b.getInt(20), "max_write");
        assertEquals(256, b.getShort(28), "max_pages");
    }

    @Test
    void createWriteReadGetattrLink() throws IOException {
        c.init().ok();
        long[] f = c.create(Fuse.ROOT_ID, "a.txt", OpenFlags.O_RDWR | OpenFlags.O_CREAT, 0100666);
        byte[] data = "hello, virtio-fs".getBytes(StandardCharsets.UTF_8);
        assertEquals(data.length, c.write(f[1], 0, data).ok().body().getInt(0));
        assertArrayEquals(data, c.read(f[1], 0, 4096).ok().bytes());
        assertArrayEquals("virtio".getBytes(StandardCharsets.UTF_8), c.read(f[1], 7, 6).ok().bytes());
        assertEquals(0, c.read(f[1], 1000, 10).ok().bytes().length, "read past the end");
        assertEquals("hello, virtio-fs", Files.readString(dir.resolve("a.txt")));

        FuseClient.Entry a = FuseClient.attr(c.getattr(f[0]));
        assertEquals(data.length, a.size());
        assertEquals(0100644, a.mode(), "mode 0666 less the umask 022 the kernel sent");
        assertEquals(1, a.nlink());

        FuseClient.Entry linked = FuseClient.entry(c.call(Fuse.LINK, Fuse.ROOT_ID, cat(le(8).putLong(f[0]).array(), name("b.txt"))));
        assertEquals(f[0], linked.nodeid(), "a hard link is the same node");
        assertEquals(2, linked.nlink());
        assertEquals(2, FuseClient.attr(c.getattr(f[0])).nlink());
        assertEquals(f[0], FuseClient.entry(c.lookup(Fuse.ROOT_ID, "b.txt")).nodeid(), "same (dev, ino), same node id");

        c.call(Fuse.FSYNC, 0, le(16).putLong(f[1]).putInt(0).array()).ok();
        c.call(Fuse.FLUSH, 0, le(24).putLong(f[1]).array()).ok();
        c.release(f[1], false).ok();
        assertEquals(-Errno.EBADF, c.read(f[1], 0, 10).error(), "a released handle is gone");
    }

    /**
     * HANDLE_KILLPRIV_V2: the kernel leaves dropping set-id bits to the server, which writes as
     * root (CAP_FSETID, so the host keeps them): a write the kernel flags drops set-user-id, and
     * set-group-id with group execute; an unflagged write (the writer had CAP_FSETID) keeps them.
     */
    @Test
    void aWriteFlaggedKillSuidgidDropsTheSetIdBits() throws IOException {
        c.init().ok();
        Path f = dir.resolve("suid");
        Files.writeString(f, "x");
        Files.setAttribute(f, "unix:mode", 06755);
        long node = FuseClient.entry(c.lookup(Fuse.ROOT_ID, "suid")).nodeid();
        long fh = c.open(node, OpenFlags.O_WRONLY);
        c.write(fh, 0, "y".getBytes(StandardCharsets.UTF_8), 0).ok();
        assertEquals(06755, (int) Files.getAttribute(f, "unix:mode") & 07777, "a writer with CAP_FSETID keeps them");
        c.write(fh, 0, "z".getBytes(StandardCharsets.UTF_8), Fuse.WRITE_KILL_SUIDGID).ok();
        assertEquals(0755, (int) Files.getAttribute(f, "unix:mode") & 07777, "set-uid, and set-gid with g+x, dropped");
        assertEquals("z", Files.readString(f));
        Files.setAttribute(f, "unix:mode", 02745); // set-gid without group execute is mandatory locking, kept
        c.write(fh, 0, "w".getBytes(StandardCharsets.UTF_8), Fuse.WRITE_KILL_SUIDGID).ok();
        assertEquals(02745, (int) Files.getAttribute(f, "unix:mode") & 07777);
        c.release(fh, false).ok();
    }

    @Test
    void setattrTruncatesChmodsAndSetsTimes() throws IOException {
        c.init().ok();
        Files.writeString(dir.resolve("t"), "0123456789");
        long node = FuseClient.entry(c.lookup(Fuse.ROOT_ID, "t")).nodeid();
        assertEquals(4, FuseClient.attr(c.setattr(node, Fuse.FATTR_SIZE, 0, 4, 0, 0, 0)).size());
        assertEquals("0123", Files.readString(dir.resolve("t")));

        long fh = c.open(node, OpenFlags.O_WRONLY);
        assertEquals(2, FuseClient.attr(c.setattr(node, Fuse.FATTR_SIZE | Fuse.FATTR_FH, fh, 2, 0, 0, 0)).size());
        assertEquals("01", Files.readString(dir.resolve("t")));

        assertEquals(0100600, FuseClient.attr(c.setattr(node, Fuse.FATTR_MODE, 0, 0, 0, 0, 0100600)).mode());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("t"))));

        FuseClient.Entry t = FuseClient.attr(c.setattr(node, Fuse.FATTR_ATIME | Fuse.FATTR_MTIME, 0, 0, 1_000_000, 2_000_000, 0));
        assertEquals(1_000_000, t.atime());
        assertEquals(2_000_000, t.mtime());
        assertEquals(FileTime.fromMillis(2_000_000_000L), Files.getLastModifiedTime(dir.resolve("t")));
        c.release(fh, false).ok();
    }

    @Test
    void readdirListsEveryEntryOverSeveralCalls() throws IOException {
        c.init().ok();
        long d = FuseClient.entry(c.mkdir(Fuse.ROOT_ID, "d", 0755)).nodeid();
        assertTrue(Files.isDirectory(dir.resolve("d")));
        Set<String> want = new HashSet<>(List.of(".", ".."));
        for (int i = 0; i < 50; i++) {
            Files.writeString(dir.resolve("d/file-with-a-longish-name-" + i), "");
            want.add("file-with-a-longish-name-" + i);
        }
        long fh = c.opendir(d);
        Set<String> seen = new HashSet<>();
        long offset = 0;
        int calls = 0;
        while (true) {
            byte[] b = c.call(Fuse.READDIR, d, FuseClient.readIn(fh, offset, 512)).ok().bytes();
            if (b.length == 0) {
                break;
            }
            calls++;
            ByteBuffer e = ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            while (e.hasRemaining()) {
                int at = e.position();
                e.getLong();
                offset = e.getLong();
                int len = e.getInt();
                e.getInt();
                assertTrue(seen.add(new String(b, at + 24, len, StandardCharsets.UTF_8)), "no entry twice");
                e.position(at + ((24 + len + 7) & ~7));
            }
        }
        assertEquals(want, seen);
        assertTrue(calls > 3, "512-byte replies need several calls: " + calls);
        c.release(fh, true).ok();
    }

    @Test
    void renameUnlinkRmdir() throws IOException {
        c.init().ok();
        long[] f = c.create(Fuse.ROOT_ID, "x", OpenFlags.O_WRONLY | OpenFlags.O_CREAT, 0100644);
        c.release(f[1], false).ok();
        long d = FuseClient.entry(c.mkdir(Fuse.ROOT_ID, "sub", 0755)).nodeid();
        c.call(Fuse.RENAME, Fuse.ROOT_ID, cat(le(8).putLong(d).array(), name("x"), name("y"))).ok();
        assertFalse(Files.exists(dir.resolve("x")));
        assertTrue(Files.exists(dir.resolve("sub/y")));
        assertEquals(-Errno.EINVAL, c.call(Fuse.RENAME2, d, cat(le(16).putLong(d).putInt(1).putInt(0).array(),
                name("y"), name("z"))).error(), "RENAME2 flags are refused");
        c.call(Fuse.RENAME2, d, cat(le(16).putLong(Fuse.ROOT_ID).putInt(0).putInt(0).array(), name("y"), name("z"))).ok();
        assertTrue(Files.exists(dir.resolve("z")));
        assertEquals(-Errno.ENOTEMPTY, c.call(Fuse.RMDIR, Fuse.ROOT_ID, name("..")).error());
        c.call(Fuse.UNLINK, Fuse.ROOT_ID, name("z")).ok();
        c.call(Fuse.RMDIR, Fuse.ROOT_ID, name("sub")).ok();
        assertEquals(List.of(), list(dir));
    }

    @Test
    void symlinkReadlinkAndFifo() throws IOException {
        c.init().ok();
        FuseClient.Entry l = FuseClient.entry(c.call(Fuse.SYMLINK, Fuse.ROOT_ID, cat(name("link"), name("../../etc/passwd"))));
        assertEquals(0120000, l.mode() & 0170000);
        assertEquals("../../etc/passwd", new String(c.call(Fuse.READLINK, l.nodeid(), new byte[0]).ok().bytes(), StandardCharsets.UTF_8));
        assertEquals("../../etc/passwd", Files.readSymbolicLink(dir.resolve("link")).toString());
        FuseClient.Entry p = FuseClient.entry(c.call(Fuse.MKNOD, Fuse.ROOT_ID,
                cat(le(16).putInt(0010666).putInt(0).putInt(022).putInt(0).array(), name("fifo"))));
        assertEquals(0010644, p.mode());
        assertTrue(Files.readAttributes(dir.resolve("fifo"), java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther());
    }

    @Test
    void xattrsSetGetListRemove() throws IOException {
        c.init().ok();
        Files.writeString(dir.resolve("x"), "");
        long n = FuseClient.entry(c.lookup(Fuse.ROOT_ID, "x")).nodeid();
        byte[] value = "v4lue".getBytes(StandardCharsets.UTF_8);
        FuseClient.Reply set = c.call(Fuse.SETXATTR, n, cat(le(8).putInt(value.length).putInt(0).array(), name("user.skiff"), value));
        assumeTrue(set.error() != -Errno.EOPNOTSUPP, "the temporary folder's file system has no user xattrs");
        set.ok();
        assertEquals(5, c.call(Fuse.GETXATTR, n, cat(le(8).putInt(0).putInt(0).array(), name("user.skiff"))).ok().body().getInt(0),
                "size 0 asks for the size");
        assertArrayEquals(value, c.call(Fuse.GETXATTR, n, cat(le(8).putInt(64).putInt(0).array(), name("user.skiff"))).ok().bytes());
        assertEquals(-Errno.ERANGE, c.call(Fuse.GETXATTR, n, cat(le(8).putInt(2).putInt(0).array(), name("user.skiff"))).error());
        int listSize = c.call(Fuse.LISTXATTR, n, le(8).putInt(0).putInt(0).array()).ok().body().getInt(0);
        String list = new String(c.call(Fuse.LISTXATTR, n, le(8).putInt(listSize).putInt(0).array()).ok().bytes(), StandardCharsets.UTF_8);
        assertTrue(list.contains("user.skiff\0"), list);
        assertEquals(-Errno.ERANGE, c.call(Fuse.LISTXATTR, n, le(8).putInt(1).putInt(0).array()).error());
        c.call(Fuse.REMOVEXATTR, n, name("user.skiff")).ok();
        assertEquals(-Errno.ENODATA, c.call(Fuse.GETXATTR, n, cat(le(8).putInt(64).putInt(0).array(), name("user.skiff"))).error());
    }

    @Test
    void statfsReportsTheHostFileSystem() {
        c.init().ok();
        ByteBuffer b = c.call(Fuse.STATFS, Fuse.ROOT_ID, new byte[0]).ok().body();
        assertEquals(Fuse.STATFS_OUT_SIZE, b.remaining());
        assertTrue(b.getLong(0) > 0, "blocks");
        assertTrue(b.getInt(40) > 0, "bsize");
        assertEquals(255, b.getInt(44), "namelen");
    }

    @Test
    void forgetAndDestroyCloseEveryDescriptor() throws IOException {
        int before = openDescriptors();
        c.init().ok();
        for (int i = 0; i < 20; i++) {
            Files.writeString(dir.resolve("f" + i), "x");
        }
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(FuseClient.entry(c.lookup(Fuse.ROOT_ID, "f" + i)).nodeid());
            c.lookup(Fuse.ROOT_ID, "f" + i).ok(); // a second lookup: two to forget
        }
        assertEquals(21, c.session.nodeCount());
        assertTrue(openDescriptors() >= before + 20);
        for (long id : ids) {
            assertEquals(0, c.forget(id, 1).written(), "FORGET has no reply");
        }
        assertEquals(21, c.session.nodeCount(), "one lookup left on each");
        for (long id : ids) {
            c.forget(id, 1);
        }
        assertEquals(1, c.session.nodeCount(), "only the root is left");
        assertEquals(-Errno.ESTALE, c.getattr(ids.get(0)).error(), "a forgotten node id is stale");
        assertEquals(before, openDescriptors());

        long[] f = c.create(Fuse.ROOT_ID, "open", OpenFlags.O_RDWR | OpenFlags.O_CREAT, 0100644);
        long d = c.opendir(Fuse.ROOT_ID);
        assertTrue(f[1] != d);
        c.call(Fuse.DESTROY, 0, new byte[0]).ok();
        assertEquals(1, c.session.nodeCount());
        assertEquals(0, c.session.handleCount());
        assertEquals(before, openDescriptors(), "no descriptor left after DESTROY");
        assertEquals(-Errno.EIO, c.getattr(Fuse.ROOT_ID).error(), "after DESTROY only INIT is served");
    }

    @Test
    void closingTheSessionReleasesEveryNodeAndFile() throws IOException {
        int before = openDescriptors();
        try (FuseClient other = new FuseClient(new FuseSession(fs, false, CachePolicy.COHERENT, FuseLimits.DEFAULT))) {
            other.init().ok();
            long[] f = other.create(Fuse.ROOT_ID, "kept-open", OpenFlags.O_RDWR | OpenFlags.O_CREAT, 0100644);
            long d = FuseClient.entry(other.mkdir(Fuse.ROOT_ID, "kept-dir", 0755)).nodeid();
            other.opendir(d);
            other.write(f[1], 0, new byte[] {1, 2, 3}).ok();
            assertTrue(openDescriptors() >= before + 4, "two nodes and two open files");
        }
        assertEquals(before, openDescriptors(), "the session's end closed them all");
    }

    static int openDescriptors() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        }
    }

    private static List<Path> list(Path d) throws IOException {
        try (var s = Files.list(d)) {
            return s.toList();
        }
    }
}
