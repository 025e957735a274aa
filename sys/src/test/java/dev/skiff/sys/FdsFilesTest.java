package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The new wrappers against the real kernel: openat2 containment, statx, *at calls, OFD locks, xattrs. */
class FdsFilesTest {
    @TempDir Path dir;

    @Test
    void openat2BeneathRefusesEscapesAndErrorsNameTheCall() throws Exception {
        java.nio.file.Files.createDirectory(dir.resolve("in"));
        java.nio.file.Files.createSymbolicLink(dir.resolve("in/up"), Path.of(".."));
        int root = Fds.openat2(Fds.AT_FDCWD, dir.resolve("in").toString(), OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, 0);
        try {
            long beneath = Fds.RESOLVE_BENEATH | Fds.RESOLVE_NO_MAGICLINKS;
            ErrnoException e = assertThrows(ErrnoException.class, () -> Fds.openat2(root, "..", OpenFlags.O_PATH, 0, beneath));
            assertEquals(Errno.EXDEV, e.errno());
            assertEquals("openat2", e.call());
            assertTrue(e.getMessage().startsWith("failed to openat2 .."), e.getMessage());
            assertEquals(Errno.EXDEV, assertThrows(ErrnoException.class,
                    () -> Fds.openat2(root, "up/x", OpenFlags.O_PATH, 0, beneath)).errno());
            assertEquals(Errno.ELOOP, assertThrows(ErrnoException.class,
                    () -> Fds.openat2(Fds.AT_FDCWD, "/proc/self/fd/" + root, OpenFlags.O_PATH, 0, beneath & ~Fds.RESOLVE_BENEATH)).errno(),
                    "magic links refused");
        } finally {
            Fds.close(root);
        }
    }

    @Test
    void fileCallsRoundTrip() throws Exception {
        int d = Fds.openat2(Fds.AT_FDCWD, dir.toString(), OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, 0);
        try {
            Files.mkdirat(d, "sub", 0700);
            Files.mknodat(d, "fifo", Statx.S_IFIFO | 0600, 0);
            Files.symlinkat("target", d, "ln");
            assertEquals("target", Files.readlinkat(d, "ln"));
            Statx st = Files.statx(d, "fifo", Files.AT_SYMLINK_NOFOLLOW);
            assertEquals(Statx.S_IFIFO, st.type());
            int fd = Fds.openat2(d, "f", OpenFlags.O_CREAT | OpenFlags.O_RDWR, 0644, Fds.RESOLVE_BENEATH);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocateFrom("hello");
                assertEquals(5, Fds.pwrite(fd, buf, 5, 0));
                MemorySegment in = a.allocate(16);
                assertEquals(5, Fds.pread(fd, in, 16, 0));
                assertEquals('h', in.get(ValueLayout.JAVA_BYTE, 0));
                Fds.fsync(fd, true);
                Fds.ftruncate(fd, 2);
                assertEquals(2, Files.fstatx(fd).size());
            } finally {
                Fds.close(fd);
            }
            Files.linkat(d, "f", d, "g", 0);
            assertEquals(2, Files.statx(d, "f", 0).nlink());
            Files.renameat2(d, "g", d, "h", Files.RENAME_NOREPLACE);
            assertEquals(Errno.EEXIST, assertThrows(ErrnoException.class,
                    () -> Files.renameat2(d, "h", d, "f", Files.RENAME_NOREPLACE)).errno());
            Files.utimensat(d, "h", 10, 0, 20, 0, 0);
            assertEquals(20, Files.statx(d, "f", 0).mtimeSec());
            Files.unlinkat(d, "h", 0);
            Files.unlinkat(d, "sub", Files.AT_REMOVEDIR);
            assertTrue(Fds.fstatfs(d).bsize() > 0);
        } finally {
            Fds.close(d);
        }
    }

    @Test
    void ofdLocksConflictAcrossDescriptions() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("f"), "x");
        int a = Fds.openat2(Fds.AT_FDCWD, dir.resolve("f").toString(), OpenFlags.O_RDWR, 0, 0);
        int b = Fds.openat2(Fds.AT_FDCWD, dir.resolve("f").toString(), OpenFlags.O_RDWR, 0, 0);
        try {
            assertTrue(Locks.trySet(a, Locks.F_WRLCK, 0, 10));
            assertFalse(Locks.trySet(b, Locks.F_RDLCK, 5, 1));
            Locks.Flock held = Locks.get(b, Locks.F_WRLCK, 0, 0);
            assertEquals(Locks.F_WRLCK, held.type());
            assertEquals(-1, held.pid(), "OFD locks have no owning process");
            assertTrue(Locks.trySet(a, Locks.F_UNLCK, 0, 10));
            Locks.setWait(b, Locks.F_WRLCK, 0, 0);
        } finally {
            Fds.close(a);
            Fds.close(b);
        }
    }

    @Test
    void xattrs() throws Exception {
        String p = java.nio.file.Files.writeString(dir.resolve("f"), "").toString();
        Xattrs.set(p, "user.k", new byte[] {1, 2}, Xattrs.XATTR_CREATE, false);
        assertArrayEquals(new byte[] {1, 2}, Xattrs.get(p, "user.k", true));
        assertEquals("user.k\0", new String(Xattrs.list(p, false)));
        assertEquals(Errno.EEXIST, assertThrows(ErrnoException.class,
                () -> Xattrs.set(p, "user.k", new byte[0], Xattrs.XATTR_CREATE, true)).errno());
        Xattrs.remove(p, "user.k", false);
        assertEquals(Errno.ENODATA, assertThrows(ErrnoException.class, () -> Xattrs.get(p, "user.k", false)).errno());
    }
}
