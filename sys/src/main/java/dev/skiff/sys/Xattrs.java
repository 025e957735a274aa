package dev.skiff.sys;

import static dev.skiff.sys.Libc.C_INT;
import static dev.skiff.sys.Libc.C_LONG;
import static dev.skiff.sys.Libc.C_POINTER;

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
        try (Frame frame = Frame.open()) {
            MemorySegment buf = frame.alloc(XATTR_SIZE_MAX, 1);
            MethodHandle h = follow ? GETXATTR : LGETXATTR;
            long n = Libc.call(frame, "getxattr", name + " of " + path,
                    (f, cs) -> (long) h.invokeExact(cs, f.str(path), f.str(name), buf, (long) XATTR_SIZE_MAX));
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** The NUL-separated list of names, exactly as listxattr(2) returns it. */
    public static byte[] list(String path, boolean follow) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment buf = frame.alloc(XATTR_LIST_MAX, 1);
            MethodHandle h = follow ? LISTXATTR : LLISTXATTR;
            long n = Libc.call(frame, "listxattr", path,
                    (f, cs) -> (long) h.invokeExact(cs, f.str(path), buf, (long) XATTR_LIST_MAX));
            return buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    public static void set(String path, String name, byte[] value, int flags, boolean follow)
            throws ErrnoException {
        if (value.length > XATTR_SIZE_MAX) {
            throw new ErrnoException("setxattr", name + " of " + path, Errno.E2BIG);
        }
        MethodHandle h = follow ? SETXATTR : LSETXATTR;
        Libc.call("setxattr", name + " of " + path, (f, cs) -> (int) h.invokeExact(cs, f.str(path), f.str(name),
                f.bytes(value), (long) value.length, flags));
    }

    public static void remove(String path, String name, boolean follow) throws ErrnoException {
        MethodHandle h = follow ? REMOVEXATTR : LREMOVEXATTR;
        Libc.call("removexattr", name + " of " + path, (f, cs) -> (int) h.invokeExact(cs, f.str(path), f.str(name)));
    }
}
