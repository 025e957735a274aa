package dev.skiff.sys;

import static dev.skiff.sys.Libc.C_INT;
import static dev.skiff.sys.Libc.C_LONG;
import static dev.skiff.sys.Libc.C_POINTER;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * Directory-relative file calls: statx, mkdirat, mknodat, symlinkat, readlinkat, linkat,
 * renameat2, unlinkat, utimensat, fchownat, chmod, truncate. Names are single components or
 * paths relative to {@code dirfd}; the caller decides how they were resolved.
 */
public final class Files {
    private Files() {}

    public static final int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200,
            AT_SYMLINK_FOLLOW = 0x400, AT_EMPTY_PATH = 0x1000;
    /** renameat2(2) flags. */
    public static final int RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2;
    /** utimensat(2) special nanosecond values. */
    public static final long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;

    private static final MethodHandle STATX = Libc.downcall("statx",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT, C_POINTER));
    private static final MethodHandle MKDIRAT = Libc.downcall("mkdirat",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    private static final MethodHandle MKNODAT = Libc.downcall("mknodat",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_LONG));
    private static final MethodHandle SYMLINKAT = Libc.downcall("symlinkat",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT, C_POINTER));
    private static final MethodHandle READLINKAT = Libc.downcall("readlinkat",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_POINTER, C_LONG));
    private static final MethodHandle LINKAT = Libc.downcall("linkat",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_POINTER, C_INT));
    private static final MethodHandle RENAMEAT2 = Libc.downcall("renameat2",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_POINTER, C_INT));
    private static final MethodHandle UNLINKAT = Libc.downcall("unlinkat",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    private static final MethodHandle UTIMENSAT = Libc.downcall("utimensat",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_INT));
    private static final MethodHandle FCHOWNAT = Libc.downcall("fchownat",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT, C_INT));
    private static final MethodHandle CHMOD = Libc.downcall("chmod",
            FunctionDescriptor.of(C_INT, C_POINTER, C_INT));
    private static final MethodHandle TRUNCATE = Libc.downcall("truncate64",
            FunctionDescriptor.of(C_INT, C_POINTER, C_LONG));

    /** statx(2) with {@code STATX_BASIC_STATS | STATX_BTIME}. */
    public static Statx statx(int dirfd, String path, int flags) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment buf = frame.alloc(Statx.SIZE, 8);
            Libc.call(frame, "statx", path.isEmpty() ? "fd " + dirfd : path, (f, cs) -> (int) STATX.invokeExact(cs,
                    dirfd, f.str(path), flags, Statx.STATX_BASIC_STATS | Statx.STATX_BTIME, buf));
            return Statx.of(buf);
        }
    }

    /** statx of the descriptor itself ({@code AT_EMPTY_PATH}); fine on O_PATH descriptors. */
    public static Statx fstatx(int fd) throws ErrnoException {
        return statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
    }

    public static void mkdirat(int dirfd, String name, int mode) throws ErrnoException {
        Libc.call("mkdirat", name, (f, cs) -> (int) MKDIRAT.invokeExact(cs, dirfd, f.str(name), mode));
    }

    /** mknodat(2); {@code mode} carries the file type, {@code dev} is {@link Statx#makedev}. */
    public static void mknodat(int dirfd, String name, int mode, long dev) throws ErrnoException {
        Libc.call("mknodat", name, (f, cs) -> (int) MKNODAT.invokeExact(cs, dirfd, f.str(name), mode, dev));
    }

    public static void symlinkat(String target, int dirfd, String name) throws ErrnoException {
        Libc.call("symlinkat", name, (f, cs) -> (int) SYMLINKAT.invokeExact(cs, f.str(target), dirfd, f.str(name)));
    }

    /** readlinkat(2); an empty {@code name} reads the O_PATH symlink descriptor itself. */
    public static String readlinkat(int dirfd, String name) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment buf = frame.alloc(4097, 1);
            long n = Libc.call(frame, "readlinkat", name.isEmpty() ? "fd " + dirfd : name,
                    (f, cs) -> (long) READLINKAT.invokeExact(cs, dirfd, f.str(name), buf, 4097L));
            if (n > 4096) {
                throw new ErrnoException("readlinkat", name, Errno.ENAMETOOLONG);
            }
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        }
    }

    public static void linkat(int olddirfd, String oldname, int newdirfd, String newname, int flags)
            throws ErrnoException {
        Libc.call("linkat", newname, (f, cs) -> (int) LINKAT.invokeExact(cs, olddirfd, f.str(oldname), newdirfd,
                f.str(newname), flags));
    }

    public static void renameat2(int olddirfd, String oldname, int newdirfd, String newname, int flags)
            throws ErrnoException {
        Libc.call("renameat2", oldname + " to " + newname, (f, cs) -> (int) RENAMEAT2.invokeExact(cs, olddirfd,
                f.str(oldname), newdirfd, f.str(newname), flags));
    }

    public static void unlinkat(int dirfd, String name, int flags) throws ErrnoException {
        Libc.call("unlinkat", name, (f, cs) -> (int) UNLINKAT.invokeExact(cs, dirfd, f.str(name), flags));
    }

    /**
     * utimensat(2). Nanoseconds may be {@link #UTIME_NOW} or {@link #UTIME_OMIT}. With an empty
     * name and {@code AT_EMPTY_PATH} it changes the descriptor itself (Linux 5.8+).
     */
    public static void utimensat(int dirfd, String name, long atimeSec, long atimeNsec,
            long mtimeSec, long mtimeNsec, int flags) throws ErrnoException {
        Libc.call("utimensat", name.isEmpty() ? "fd " + dirfd : name, (f, cs) -> {
            MemorySegment ts = f.alloc(32, 8);
            ts.set(ValueLayout.JAVA_LONG, 0, atimeSec);
            ts.set(ValueLayout.JAVA_LONG, 8, atimeNsec);
            ts.set(ValueLayout.JAVA_LONG, 16, mtimeSec);
            ts.set(ValueLayout.JAVA_LONG, 24, mtimeNsec);
            return (int) UTIMENSAT.invokeExact(cs, dirfd, f.str(name), ts, flags);
        });
    }

    /** fchownat(2); -1 leaves an id unchanged. */
    public static void fchownat(int dirfd, String name, int uid, int gid, int flags) throws ErrnoException {
        Libc.call("fchownat", name.isEmpty() ? "fd " + dirfd : name,
                (f, cs) -> (int) FCHOWNAT.invokeExact(cs, dirfd, f.str(name), uid, gid, flags));
    }

    public static void chmod(String path, int mode) throws ErrnoException {
        Libc.call("chmod", path, (f, cs) -> (int) CHMOD.invokeExact(cs, f.str(path), mode));
    }

    public static void truncate(String path, long size) throws ErrnoException {
        Libc.call("truncate", path, (f, cs) -> (int) TRUNCATE.invokeExact(cs, f.str(path), size));
    }
}
