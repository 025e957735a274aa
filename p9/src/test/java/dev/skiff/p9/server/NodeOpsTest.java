package dev.skiff.p9.server;

import static dev.skiff.p9.server.FidOpsTest.errno;
import static dev.skiff.p9.server.Harness.ROOT;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Qid;
import dev.skiff.p9.wire.Rmessage.Rgetattr;
import dev.skiff.p9.wire.Rmessage.Rstatfs;
import dev.skiff.p9.wire.Tmessage.Tsetattr;
import dev.skiff.sys.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Conformance of Tgetattr, Tsetattr, Tstatfs, Tsymlink, Treadlink, Tmknod, Tmkdir, Tlink,
 * Trename, Trenameat and Tunlinkat. Host-side facts are read back through java.nio with
 * {@code unix:*} attributes.
 */
class NodeOpsTest {
    @TempDir Path tmp;
    Harness h;
    P9Client c;

    protected Harness harness(Path tmp) throws IOException {
        return Harness.passthrough(tmp);
    }

    /** True when the backend stores POSIX metadata natively (passthrough), so the host sees it. */
    protected boolean hostSeesMetadata() {
        return true;
    }

    /** Passthrough needs root (CAP_CHOWN, CAP_MKNOD) for owners and device nodes; mapped does not. */
    void assumeRootIfPassthrough(String why) {
        if (hostSeesMetadata()) {
            dev.skiff.p9.sys.RootOnly.require(why);
        }
    }

    @BeforeEach
    void start() throws IOException {
        h = harness(tmp);
        c = h.attach();
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    static final int S_IFMT = 0170000;

    @Test
    void getattrReportsEveryFieldAndTrueNlink() throws IOException {
        Files.writeString(h.export.resolve("f"), "12345");
        Files.createLink(h.export.resolve("g"), h.export.resolve("f"));
        Files.createLink(h.export.resolve("h"), h.export.resolve("f"));
        Files.setLastModifiedTime(h.export.resolve("f"), FileTime.from(1_600_000_000_123L, TimeUnit.MILLISECONDS));
        c.walk(ROOT, 1, "f");
        Rgetattr a = c.getattr(1);
        assertEquals(P9.GETATTR_BASIC, a.valid() & P9.GETATTR_BASIC);
        assertEquals(3, a.nlink(), "true link count");
        assertEquals(5, a.size());
        assertEquals(0100000, a.mode() & S_IFMT);
        assertEquals(1_600_000_000L, a.mtimeSec());
        assertEquals(123_000_000L, a.mtimeNsec());
        assertEquals(((Number) Files.getAttribute(h.export.resolve("f"), "unix:uid")).intValue(), a.uid());
        assertEquals(((Number) Files.getAttribute(h.export.resolve("f"), "unix:gid")).intValue(), a.gid());
        assertTrue(a.blksize() > 0);
        assertTrue(a.ctimeSec() > 0 && a.atimeSec() > 0);
        c.walk(ROOT, 2);
        Rgetattr d = c.getattr(2);
        assertEquals(040000, d.mode() & S_IFMT);
        assertTrue(d.qid().isDir());
        assertTrue(d.nlink() >= 2);
    }

    @Test
    void setattrModeOwnerSizeAndTimes() throws IOException {
        assumeRootIfPassthrough("chown to another uid (CAP_CHOWN)");
        Files.writeString(h.export.resolve("f"), "0123456789");
        c.walk(ROOT, 1, "f");
        c.setattr(new Tsetattr(1, P9.SETATTR_MODE, 0600, 0, 0, 0, 0, 0, 0, 0));
        assertEquals(0600, c.getattr(1).mode() & 07777);
        c.setattr(new Tsetattr(1, P9.SETATTR_SIZE, 0, 0, 0, 3, 0, 0, 0, 0));
        assertEquals(3, c.getattr(1).size());
        c.setattr(new Tsetattr(1, P9.SETATTR_SIZE, 0, 0, 0, 100, 0, 0, 0, 0));
        assertEquals(100, c.getattr(1).size(), "size can grow too");
        c.setattr(new Tsetattr(1, P9.SETATTR_ATIME | P9.SETATTR_ATIME_SET | P9.SETATTR_MTIME | P9.SETATTR_MTIME_SET,
                0, 0, 0, 0, 1000, 5, 2000, 7));
        Rgetattr a = c.getattr(1);
        assertEquals(1000, a.atimeSec());
        assertEquals(5, a.atimeNsec());
        assertEquals(2000, a.mtimeSec());
        assertEquals(7, a.mtimeNsec());
        c.setattr(new Tsetattr(1, P9.SETATTR_MTIME, 0, 0, 0, 0, 0, 0, 0, 0));
        assertTrue(c.getattr(1).mtimeSec() > 1_000_000_000L, "MTIME without MTIME_SET means now");
        assertEquals(1000, c.getattr(1).atimeSec(), "atime untouched");
        c.setattr(new Tsetattr(1, P9.SETATTR_UID | P9.SETATTR_GID, 0, 1234, 5678, 0, 0, 0, 0, 0));
        Rgetattr o = c.getattr(1);
        assertEquals(1234, o.uid());
        assertEquals(5678, o.gid());
        if (hostSeesMetadata()) {
            assertEquals(1234, Files.getAttribute(h.export.resolve("f"), "unix:uid"));
            assertEquals(0600, ((Integer) Files.getAttribute(h.export.resolve("f"), "unix:mode")) & 07777);
        }
        c.walk(ROOT, 2);
        assertEquals(Errno.EISDIR, errno(() -> c.setattr(new Tsetattr(2, P9.SETATTR_SIZE, 0, 0, 0, 0, 0, 0, 0, 0))));
    }

    @Test
    void statfs() throws IOException {
        Rstatfs s = c.statfs(ROOT);
        assertTrue(s.bsize() > 0);
        assertTrue(s.blocks() > 0);
        assertTrue(s.namelen() >= 255);
    }

    @Test
    void symlinkAndReadlink() throws IOException {
        c.walk(ROOT, 1);
        Qid q = c.symlink(1, "ln", "../../outside/target", 0);
        assertEquals(P9.QTSYMLINK, q.type());
        c.walk(ROOT, 2, "ln");
        assertEquals("../../outside/target", c.readlink(2));
        assertEquals(0120000, c.getattr(2).mode() & S_IFMT);
        if (hostSeesMetadata()) {
            assertEquals(Path.of("../../outside/target"), Files.readSymbolicLink(h.export.resolve("ln")));
        }
        assertEquals(Errno.EEXIST, errno(() -> c.symlink(1, "ln", "x", 0)));
        assertEquals(Errno.EINVAL, errno(() -> c.readlink(1)), "not a symlink");
    }

    @Test
    void mknodFifoSocketCharAndBlockDevices() throws IOException {
        assumeRootIfPassthrough("mknod of character and block devices (CAP_MKNOD)");
        c.walk(ROOT, 1);
        c.mknod(1, "fifo", 010640, 0, 0, 0);
        c.mknod(1, "sock", 0140600, 0, 0, 0);
        c.mknod(1, "null", 020666, 1, 3, 0);
        c.mknod(1, "blk", 060600, 8, 1, 0);
        c.walk(ROOT, 2, "fifo");
        assertEquals(010640, c.getattr(2).mode());
        c.walk(ROOT, 3, "sock");
        assertEquals(0140600, c.getattr(3).mode());
        c.walk(ROOT, 4, "null");
        Rgetattr n = c.getattr(4);
        assertEquals(020666, n.mode());
        assertEquals((1 << 8) | 3, n.rdev(), "makedev(1, 3)");
        c.walk(ROOT, 5, "blk");
        Rgetattr b = c.getattr(5);
        assertEquals(060600, b.mode());
        assertEquals((8 << 8) | 1, b.rdev());
        if (hostSeesMetadata()) {
            assertTrue(Files.readAttributes(h.export.resolve("fifo"), java.nio.file.attribute.BasicFileAttributes.class).isOther());
            assertEquals((8L << 8) | 1, ((Number) Files.getAttribute(h.export.resolve("blk"), "unix:rdev")).longValue());
        }
        assertEquals(Errno.EINVAL, errno(() -> c.mknod(1, "dir", 040755, 0, 0, 0)));
    }

    @Test
    void mkdirWithModeAndOwner() throws IOException {
        assumeRootIfPassthrough("chown of the new directory to the client's gid (CAP_CHOWN)");
        c.walk(ROOT, 1);
        Qid q = c.mkdir(1, "d", 0750, 4321);
        assertTrue(q.isDir());
        c.walk(ROOT, 2, "d");
        Rgetattr a = c.getattr(2);
        assertEquals(040750, a.mode());
        assertEquals(4321, a.gid(), "the gid the client sent");
        assertEquals(Errno.EEXIST, errno(() -> c.mkdir(1, "d", 0755, 0)));
        assertEquals(Errno.EEXIST, errno(() -> c.mkdir(1, ".", 0755, 0)));
    }

    @Test
    void linkMakesAHardLink() throws IOException {
        Files.writeString(h.export.resolve("f"), "x");
        c.walk(ROOT, 1, "f");
        c.link(ROOT, 1, "g");
        c.walk(ROOT, 2, "g");
        assertEquals(c.getattr(1).qid(), c.getattr(2).qid());
        assertEquals(2, c.getattr(1).nlink());
        c.walk(ROOT, 3);
        assertEquals(Errno.EPERM, errno(() -> c.link(ROOT, 3, "dirlink")), "no hard links to directories");
    }

    @Test
    void renameMovesTheFidsFile() throws IOException {
        Files.writeString(h.export.resolve("f"), "x");
        Files.createDirectory(h.export.resolve("d"));
        c.walk(ROOT, 1, "f");
        c.walk(ROOT, 2, "d");
        c.rename(1, 2, "g");
        assertTrue(Files.exists(h.export.resolve("d/g")));
        assertFalse(Files.exists(h.export.resolve("f")));
        c.rename(1, ROOT, "back");
        assertTrue(Files.exists(h.export.resolve("back")), "the fid followed its file");
        c.walk(ROOT, 3);
        assertEquals(Errno.EBUSY, errno(() -> c.rename(3, 2, "root")));
    }

    @Test
    void renameatReplacesAndRefusesBadNames() throws IOException {
        Files.writeString(h.export.resolve("a"), "A");
        Files.writeString(h.export.resolve("b"), "B");
        Files.createDirectory(h.export.resolve("d"));
        c.walk(ROOT, 1, "d");
        c.renameat(ROOT, "a", 1, "a2");
        assertEquals("A", Files.readString(h.export.resolve("d/a2")));
        c.renameat(ROOT, "b", 1, "a2");
        assertEquals("B", Files.readString(h.export.resolve("d/a2")), "rename replaces");
        assertEquals(Errno.ENOENT, errno(() -> c.renameat(ROOT, "missing", 1, "x")));
        assertEquals(Errno.EISDIR, errno(() -> c.renameat(ROOT, "..", 1, "x")));
        assertEquals(Errno.ENOENT, errno(() -> c.renameat(1, "a2", ROOT, "../escaped")));
    }

    @Test
    void unlinkatFilesAndDirectories() throws IOException {
        Files.writeString(h.export.resolve("f"), "");
        Files.createDirectories(h.export.resolve("d/e"));
        c.unlinkat(ROOT, "f", 0);
        assertFalse(Files.exists(h.export.resolve("f"), LinkOption.NOFOLLOW_LINKS));
        assertEquals(Errno.EISDIR, errno(() -> c.unlinkat(ROOT, "d", 0)));
        assertEquals(Errno.ENOTEMPTY, errno(() -> c.unlinkat(ROOT, "d", P9.AT_REMOVEDIR)));
        c.walk(ROOT, 1, "d");
        c.unlinkat(1, "e", P9.AT_REMOVEDIR);
        c.unlinkat(ROOT, "d", P9.AT_REMOVEDIR);
        assertFalse(Files.exists(h.export.resolve("d")));
        assertEquals(Errno.ENOENT, errno(() -> c.unlinkat(ROOT, "nothing", 0)));
        assertEquals(Errno.EINVAL, errno(() -> c.unlinkat(ROOT, ".", 0)));
    }
}
