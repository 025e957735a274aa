package dev.skiff.p9.fs.mapped;

import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.fs.Attr;
import dev.skiff.p9.fs.Node;
import dev.skiff.p9.fs.OpenFile;
import dev.skiff.p9.wire.P9;
import dev.skiff.sys.Statx;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the mapped backend stores on the host, and its in-server lock table. */
class MappedTest {
    @TempDir Path dir;

    static int stored(Path p, String name) throws Exception {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        v.read(name, b);
        return b.getInt(0);
    }

    @Test
    void metadataLivesInUserVirtfsXattrsAndSpecialFilesArePlainFiles() throws Exception {
        Mapped fs = new Mapped(dir);
        try (Node n = fs.mknod(fs.root(), "dev", Statx.S_IFCHR | 0600, 1, 3, 1000, 1001);
             Node l = fs.symlink(fs.root(), "ln", "/etc/passwd", 1000, 1001);
             Node d = fs.mkdir(fs.root(), "d", 0700, 5, 6)) {
            assertTrue(Files.isRegularFile(dir.resolve("dev")), "a device is a plain file on the host");
            assertEquals(Statx.S_IFCHR | 0600, stored(dir.resolve("dev"), "virtfs.mode"));
            assertEquals(1000, stored(dir.resolve("dev"), "virtfs.uid"));
            assertEquals(1001, stored(dir.resolve("dev"), "virtfs.gid"));
            assertEquals((1 << 8) | 3, stored(dir.resolve("dev"), "virtfs.rdev"));
            Attr a = fs.getattr(n);
            assertEquals(Statx.S_IFCHR | 0600, a.mode());
            assertEquals((1 << 8) | 3, a.rdev());
            assertTrue(Files.isRegularFile(dir.resolve("ln")), "a symlink is a file holding its target");
            assertEquals("/etc/passwd", Files.readString(dir.resolve("ln")));
            assertEquals("/etc/passwd", fs.readlink(l));
            assertEquals(Statx.S_IFLNK, fs.walk(fs.root(), "ln").fileType());
            assertEquals(Statx.S_IFDIR | 0700, fs.getattr(d).mode());
        }
    }

    @Test
    void clientsSeeOnlyTheirOwnUserXattrs() throws Exception {
        Mapped fs = new Mapped(dir);
        try (Node n = fs.mkdir(fs.root(), "d", 0755, 1, 1)) {
            fs.setxattr(n, "user.mine", "v".getBytes(StandardCharsets.UTF_8), 0);
            assertEquals("user.mine\0", new String(fs.listxattr(n), StandardCharsets.UTF_8));
            assertThrows(dev.skiff.sys.ErrnoException.class, () -> fs.getxattr(n, "user.virtfs.mode"));
            assertThrows(dev.skiff.sys.ErrnoException.class, () -> fs.setxattr(n, "user.virtfs.uid", new byte[4], 0));
            assertThrows(dev.skiff.sys.ErrnoException.class, () -> fs.setxattr(n, "trusted.x", new byte[1], 0));
        }
    }

    @Test
    void hostSymlinksAreNotFollowed() throws Exception {
        Files.createSymbolicLink(dir.resolve("out"), Path.of("/"));
        Mapped fs = new Mapped(dir);
        Node out = fs.walk(fs.root(), "out");
        assertEquals(Statx.S_IFLNK, out.fileType());
        assertEquals("/", fs.readlink(out));
        assertThrows(dev.skiff.sys.ErrnoException.class, () -> fs.open(out, P9.DOTL_RDONLY));
        assertEquals(fs.root().ino(), fs.walk(fs.root(), "..").ino(), ".. at the root is the root");
    }

    @Test
    void lockTableFollowsPosixRules() {
        LockTable t = new LockTable();
        Object f = "file", a = new Object(), b = new Object();
        assertTrue(t.tryLock(f, a, OpenFile.F_WRLCK, 0, 10));
        assertTrue(t.tryLock(f, a, OpenFile.F_WRLCK, 5, 10), "own locks never conflict");
        assertFalse(t.tryLock(f, b, OpenFile.F_RDLCK, 14, 1));
        assertTrue(t.tryLock(f, b, OpenFile.F_RDLCK, 15, 0), "beyond a's range");
        assertTrue(t.tryLock(f, a, OpenFile.F_UNLCK, 0, 5));
        assertTrue(t.tryLock(f, b, OpenFile.F_WRLCK, 0, 5), "unlocked part is free");
        assertEquals(OpenFile.F_WRLCK, t.test(f, b, OpenFile.F_RDLCK, 5, 1).type());
        t.releaseAll(f, a);
        assertNull(t.test(f, b, OpenFile.F_WRLCK, 0, 0));
        assertTrue(t.tryLock(f, a, OpenFile.F_RDLCK, 100, 0));
        assertTrue(t.tryLock(f, b, OpenFile.F_RDLCK, 100, 0), "read locks share");
        assertFalse(t.tryLock(f, b, OpenFile.F_WRLCK, 200, 1));
    }
}
