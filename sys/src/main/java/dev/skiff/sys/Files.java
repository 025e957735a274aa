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
            MemorySegment cs = frame.capture();
            int r = (int) STATX.invokeExact(cs, dirfd, frame.str(path), flags,
                    Statx.STATX_BASIC_STATS | Statx.STATX_BTIME, buf);
            Libc.check(r, cs, "statx", path.isEmpty() ? "fd " + dirfd : path);
            return Statx.of(buf);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** statx of the descriptor itself ({@code AT_EMPTY_PATH}); fine on O_PATH descriptors. */
    public static Statx fstatx(int fd) throws ErrnoException {
        return statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
    }

    public static void mkdirat(int dirfd, String name, int mode) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment cs = frame.capture();
            Libc.check((int) MKDIRAT.invokeExact(cs, dirfd, frame.str(name), mode), cs, "mkdirat", name);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** mknodat(2); {@code mode} carries the file type, {@code dev} is {@link Statx#makedev}. */
    public static void mknodat(int dirfd, String name, int mode, long dev) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment cs = frame.capture();
            Libc.check((int) MKNODAT.invokeExact(cs, dirfd, frame.str(name), mode, dev), cs, "mknodat", name);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void symlinkat(String target, int dirfd, String name) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment cs = frame.capture();
            Libc.check((int) SYMLINKAT.invokeExact(cs, frame.str(target), dirfd,
                    frame.str(name)), cs, "symlinkat", name);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** readlinkat(2); an empty {@code name} reads the O_PATH symlink descriptor itself. */
    public static String readlinkat(int dirfd, String name) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment buf = frame.alloc(4097, 1);
            MemorySegment cs = frame.capture();
            long n = (long) READLINKAT.invokeExact(cs, dirfd, frame.str(name), buf, 4097L);
            Libc.check(n, cs, "readlinkat", name.isEmpty() ? "fd " + dirfd : name);
            if (n > 4096) {
                throw new ErrnoException("readlinkat", name, Errno.ENAMETOOLONG);
            }
            return new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void linkat(int olddirfd, String oldname, int newdirfd, String newname, int flags)
            throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment cs = frame.capture();
            Libc.check((int) LINKAT.invokeExact(cs, olddirfd, frame.str(oldname), newdirfd,
                    frame.str(newname), flags), cs, "linkat", newname);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void renameat2(int olddirfd, String oldname, int newdirfd, String newname, int flags)
            throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment cs = frame.capture();
            Libc.check((int) RENAMEAT2.invokeExact(cs, olddirfd, frame.str(oldname), newdirfd,
                    frame.str(newname), flags), cs, "renameat2", oldname + " to " + newname);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void unlinkat(int dirfd, String name, int flags) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment cs = frame.capture();
            Libc.check((int) UNLINKAT.invokeExact(cs, dirfd, frame.str(name), flags), cs, "unlinkat", name);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * utimensat(2). Nanoseconds may be {@link #UTIME_NOW} or {@link #UTIME_OMIT}. With an empty
     * name and {@code AT_EMPTY_PATH} it changes the descriptor itself (Linux 5.8+).
     */
    public static void utimensat(int dirfd, String name, long atimeSec, long atimeNsec,
            long mtimeSec, long mtimeNsec, int flags) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment ts = frame.alloc(32, 8);
            ts.set(ValueLayout.JAVA_LONG, 0, atimeSec);
            ts.set(ValueLayout.JAVA_LONG, 8, atimeNsec);
            ts.set(ValueLayout.JAVA_LONG, 16, mtimeSec);
            ts.set(ValueLayout.JAVA_LONG, 24, mtimeNsec);
            MemorySegment cs = frame.capture();
            Libc.check((int) UTIMENSAT.invokeExact(cs, dirfd, frame.str(name), ts, flags),
                    cs, "utimensat", name.isEmpty() ? "fd " + dirfd : name);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** fchownat(2); -1 leaves an id unchanged. */
    public static void fchownat(int dirfd, String name, int uid, int gid, int flags) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment cs = frame.capture();
            Libc.check((int) FCHOWNAT.invokeExact(cs, dirfd, frame.str(name), uid, gid, flags),
                    cs, "fchownat", name.isEmpty() ? "fd " + dirfd : name);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void chmod(String path, int mode) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment cs = frame.capture();
            Libc.check((int) CHMOD.invokeExact(cs, frame.str(path), mode), cs, "chmod", path);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void truncate(String path, long size) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment cs = frame.capture();
            Libc.check((int) TRUNCATE.invokeExact(cs, frame.str(path), size), cs, "truncate", path);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
