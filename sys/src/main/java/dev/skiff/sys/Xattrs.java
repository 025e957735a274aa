package dev.skiff.sys;

import static dev.skiff.sys.Libc.C_INT;
import static dev.skiff.sys.Libc.C_LONG;
import static dev.skiff.sys.Libc.C_POINTER;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Extended attributes by path: getxattr(2), setxattr, listxattr, removexattr, following or
 * not following a final symlink ({@code l*} variants). Sizes are bounded by XATTR_SIZE_MAX.
 */
public final class Xattrs {
    private Xattrs() {}

    public static final int XATTR_CREATE = 1, XATTR_REPLACE = 2;
    /** include/uapi/linux/limits.h: XATTR_SIZE_MAX and XATTR_LIST_MAX. */
    public static final int XATTR_SIZE_MAX = 65536, XATTR_LIST_MAX = 65536;

    private static final FunctionDescriptor GET = FunctionDescriptor.of(C_LONG, C_POINTER, C_POINTER, C_POINTER, C_LONG);
    private static final FunctionDescriptor SET = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER, C_POINTER, C_LONG, C_INT);
    private static final FunctionDescriptor LIST = FunctionDescriptor.of(C_LONG, C_POINTER, C_POINTER, C_LONG);
    private static final FunctionDescriptor REMOVE = FunctionDescriptor.of(C_INT, C_POINTER, C_POINTER);
    private static final MethodHandle GETXATTR = Libc.downcall("getxattr", GET);
    private static final MethodHandle LGETXATTR = Libc.downcall("lgetxattr", GET);
    private static final MethodHandle SETXATTR = Libc.downcall("setxattr", SET);
    private static final MethodHandle LSETXATTR = Libc.downcall("lsetxattr", SET);
    private static final MethodHandle LISTXATTR = Libc.downcall("listxattr", LIST);
    private static final MethodHandle LLISTXATTR = Libc.downcall("llistxattr", LIST);
    private static final MethodHandle REMOVEXATTR = Libc.downcall("removexattr", REMOVE);
    private static final MethodHandle LREMOVEXATTR = Libc.downcall("lremovexattr", REMOVE);

    /** The value of {@code name}; ENODATA when absent. */
    public static byte[] get(String path, String name, boolean follow) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(XATTR_SIZE_MAX);
            MemorySegment cs = Libc.captureState(arena);
            MethodHandle h = follow ? GETXATTR : LGETXATTR;
            long n = (long) h.invokeExact(cs, arena.allocateFrom(path), arena.allocateFrom(name), buf,
                    (long) XATTR_SIZE_MAX);
            Libc.check(n, cs, "getxattr", name + " of " + path);
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** The NUL-separated list of names, exactly as listxattr(2) returns it. */
    public static byte[] list(String path, boolean follow) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(XATTR_LIST_MAX);
            MemorySegment cs = Libc.captureState(arena);
            MethodHandle h = follow ? LISTXATTR : LLISTXATTR;
            long n = (long) h.invokeExact(cs, arena.allocateFrom(path), buf, (long) XATTR_LIST_MAX);
            Libc.check(n, cs, "listxattr", path);
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void set(String path, String name, byte[] value, int flags, boolean follow)
            throws ErrnoException {
        if (value.length > XATTR_SIZE_MAX) {
            throw new ErrnoException("setxattr", name + " of " + path, Errno.E2BIG);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(Math.max(1, value.length));
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
            MemorySegment cs = Libc.captureState(arena);
            MethodHandle h = follow ? SETXATTR : LSETXATTR;
            int r = (int) h.invokeExact(cs, arena.allocateFrom(path), arena.allocateFrom(name), v,
                    (long) value.length, flags);
            Libc.check(r, cs, "setxattr", name + " of " + path);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    public static void remove(String path, String name, boolean follow) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cs = Libc.captureState(arena);
            MethodHandle h = follow ? REMOVEXATTR : LREMOVEXATTR;
            int r = (int) h.invokeExact(cs, arena.allocateFrom(path), arena.allocateFrom(name));
            Libc.check(r, cs, "removexattr", name + " of " + path);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
