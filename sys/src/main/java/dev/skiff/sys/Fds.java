package dev.skiff.sys;

import static dev.skiff.sys.Libc.C_INT;
import static dev.skiff.sys.Libc.C_LONG;
import static dev.skiff.sys.Libc.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * File descriptors: openat2(2), close, pread/pwrite, fsync/fdatasync, getdents64, lseek, fstatfs.
 *
 * <p>Every wrapper throws {@link ErrnoException} naming the call and the object (a path, or
 * {@code fd N}). Buffers are caller-owned native segments; no wrapper keeps a reference.
 */
public final class Fds {
    private Fds() {}

    /** open_how.resolve bits, include/uapi/linux/openat2.h. */
    public static final long RESOLVE_NO_XDEV = 0x01, RESOLVE_NO_MAGICLINKS = 0x02,
            RESOLVE_NO_SYMLINKS = 0x04, RESOLVE_BENEATH = 0x08, RESOLVE_IN_ROOT = 0x10;
    /** The dirfd meaning "the current directory", include/uapi/linux/fcntl.h. */
    public static final int AT_FDCWD = -100;
    public static final int SEEK_SET = 0;

    private static final MethodHandle SYSCALL_OPENAT2 = Calls.variadic("syscall",
            FunctionDescriptor.of(C_LONG, C_LONG, C_INT, C_POINTER, C_POINTER, C_LONG), 1);
    private static final MethodHandle CLOSE = Libc.downcall("close", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle PREAD = Libc.downcall("pread64",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG, C_LONG));
    private static final MethodHandle PWRITE = Libc.downcall("pwrite64",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG, C_LONG));
    private static final MethodHandle READ = Libc.downcall("read",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    private static final MethodHandle WRITE = Libc.downcall("write",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    private static final MethodHandle FSYNC = Libc.downcall("fsync", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle FDATASYNC = Libc.downcall("fdatasync", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle FTRUNCATE = Libc.downcall("ftruncate64",
            FunctionDescriptor.of(C_INT, C_INT, C_LONG));
    private static final MethodHandle GETDENTS = Libc.downcall("getdents64",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_LONG));
    private static final MethodHandle LSEEK = Libc.downcall("lseek64",
            FunctionDescriptor.of(C_LONG, C_INT, C_LONG, C_INT));
    private static final MethodHandle FSTATFS = Libc.downcall("fstatfs64",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
    private static final MethodHandle UMASK = Libc.downcall("umask", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle GETEUID = Libc.downcall("geteuid", FunctionDescriptor.of(C_INT));
    private static final MethodHandle POLL = Libc.downcall("poll", FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_INT));

    /** poll(2) event bits, include/uapi/asm-generic/poll.h. */
    public static final int POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10;

    /**
     * openat2(2): opens {@code path} relative to {@code dirfd} with {@code struct open_how}
     * {flags, mode, resolve}. O_CLOEXEC is always added.
     */
    public static int openat2(int dirfd, String path, int flags, int mode, long resolve)
            throws ErrnoException {
        return (int) Libc.call("openat2", path, (f, cs) -> {
            MemorySegment how = f.alloc(24, 8);
            how.set(ValueLayout.JAVA_LONG, 0, Integer.toUnsignedLong(flags | OpenFlags.O_CLOEXEC));
            how.set(ValueLayout.JAVA_LONG, 8, mode & 07777L);
            how.set(ValueLayout.JAVA_LONG, 16, resolve);
            return (long) SYSCALL_OPENAT2.invokeExact(cs, Calls.SYS_OPENAT2, dirfd, f.str(path), how, 24L);
        });
    }

    /**
     * Closes {@code fd} (if not negative) where nothing can be done about a failure: the descriptor
     * is released either way, and nothing was written through it that a failed close could lose.
     */
    public static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            close(fd);
        } catch (ErrnoException ignored) {
            // released all the same
        }
    }

    public static void close(int fd) throws ErrnoException {
        Libc.call("close", fd, (f, cs) -> (int) CLOSE.invokeExact(cs, fd));
    }

    /** pread(2) into {@code buf}; returns the byte count, 0 at end of file. */
    public static long pread(int fd, MemorySegment buf, long count, long offset) throws ErrnoException {
        checkBuffer(buf, count);
        return Libc.call("pread", fd, (f, cs) -> (long) PREAD.invokeExact(cs, fd, buf, count, offset));
    }

    /** pwrite(2) from {@code buf}; with O_APPEND Linux appends whatever the offset. */
    public static long pwrite(int fd, MemorySegment buf, long count, long offset) throws ErrnoException {
        checkBuffer(buf, count);
        return Libc.call("pwrite", fd, (f, cs) -> (long) PWRITE.invokeExact(cs, fd, buf, count, offset));
    }

    /** read(2), for descriptors that cannot seek (fifos, sockets, character devices). */
    public static long read(int fd, MemorySegment buf, long count) throws ErrnoException {
        checkBuffer(buf, count);
        return Libc.call("read", fd, (f, cs) -> (long) READ.invokeExact(cs, fd, buf, count));
    }

    /** write(2), for descriptors that cannot seek. */
    public static long write(int fd, MemorySegment buf, long count) throws ErrnoException {
        checkBuffer(buf, count);
        return Libc.call("write", fd, (f, cs) -> (long) WRITE.invokeExact(cs, fd, buf, count));
    }

    /**
     * poll(2) on one descriptor: waits up to {@code timeoutMillis} (-1: no limit) for {@code events}
     * and returns the events reported, 0 on timeout or EINTR. POLLHUP and POLLERR are reported
     * whatever was asked.
     */
    public static int poll(int fd, int events, int timeoutMillis) throws ErrnoException {
        try {
            return (int) Libc.call("poll", fd, (f, cs) -> {
                MemorySegment pfd = f.alloc(8, 4);
                pfd.set(ValueLayout.JAVA_INT, 0, fd);
                pfd.set(ValueLayout.JAVA_SHORT, 4, (short) events);
                pfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                int ready = (int) POLL.invokeExact(cs, pfd, 1L, timeoutMillis);
                return ready <= 0 ? ready : pfd.get(ValueLayout.JAVA_SHORT, 6) & 0xffff; // -1: errno, as the call expects
            });
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EINTR) {
                return 0;
            }
            throw e;
        }
    }

    /** fsync(2), or fdatasync(2) when {@code datasync}. */
    public static void fsync(int fd, boolean datasync) throws ErrnoException {
        Libc.call(datasync ? "fdatasync" : "fsync", fd, (f, cs) -> datasync
                ? (int) FDATASYNC.invokeExact(cs, fd) : (int) FSYNC.invokeExact(cs, fd));
    }

    public static void ftruncate(int fd, long size) throws ErrnoException {
        Libc.call("ftruncate", fd, (f, cs) -> (int) FTRUNCATE.invokeExact(cs, fd, size));
    }

    /** getdents64(2): fills {@code buf} with {@code struct linux_dirent64} records; 0 at the end. */
    public static long getdents64(int fd, MemorySegment buf, long count) throws ErrnoException {
        checkBuffer(buf, count);
        return Libc.call("getdents64", fd, (f, cs) -> (long) GETDENTS.invokeExact(cs, fd, buf, count));
    }

    public static long lseek(int fd, long offset, int whence) throws ErrnoException {
        return Libc.call("lseek", fd, (f, cs) -> (long) LSEEK.invokeExact(cs, fd, offset, whence));
    }

    /** fstatfs(2); works on O_PATH descriptors. */
    public static StatFs fstatfs(int fd) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment st = frame.alloc(120, 8);
            Libc.call(frame, "fstatfs", "fd " + fd, (f, cs) -> (int) FSTATFS.invokeExact(cs, fd, st));
            return StatFs.of(st);
        }
    }

    /** umask(2); returns the previous mask. Process-wide. */
    public static int umask(int mask) {
        try (Frame frame = Frame.open()) {
            return (int) UMASK.invokeExact(frame.capture(), mask);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static int geteuid() {
        try (Frame frame = Frame.open()) {
            return (int) GETEUID.invokeExact(frame.capture());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The path through which a descriptor (also an O_PATH one) can be named: /proc/self/fd/N. */
    public static String procPath(int fd) {
        return "/proc/self/fd/" + fd;
    }

    private static void checkBuffer(MemorySegment buf, long count) {
        if (count < 0 || count > buf.byteSize()) {
            throw new IllegalArgumentException("count " + count + " exceeds buffer of " + buf.byteSize());
        }
    }
}
