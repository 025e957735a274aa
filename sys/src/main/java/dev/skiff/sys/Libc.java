package dev.skiff.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The linker, libc symbol lookup and errno capture shared by every wrapper in this package.
 *
 * <p>Each downcall is made with {@link Linker.Option#captureCallState(String...)} so that errno
 * is read from the call itself, not from a later libc call on the same thread.
 */
public final class Libc {
    private Libc() {}

    static final Linker LINKER = Linker.nativeLinker();
    static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(
            java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    static final ValueLayout.OfInt C_INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong C_LONG = ValueLayout.JAVA_LONG;
    static final java.lang.foreign.AddressLayout C_POINTER = ValueLayout.ADDRESS;

    /**
     * A downcall handle for a libc function whose first parameter is the errno capture segment.
     *
     * @throws UnsatisfiedLinkError if libc has no such symbol (for example an old glibc)
     */
    static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
        return LINKER.downcallHandle(symbol, descriptor, CAPTURE);
    }

    /** A fresh capture segment; pass it as the first argument of a {@link #downcall} handle. */
    static MemorySegment captureState(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** Turns a checked-for-failure return value into a thrown {@link ErrnoException}. */
    static int check(int result, MemorySegment capture, String call, String object)
            throws ErrnoException {
        if (result < 0) {
            throw new ErrnoException(call, object, errno(capture));
        }
        return result;
    }

    static long check(long result, MemorySegment capture, String call, String object)
            throws ErrnoException {
        if (result < 0) {
            throw new ErrnoException(call, object, errno(capture));
        }
        return result;
    }

    /** Rethrows anything a downcall handle throws (they throw nothing checked in practice). */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("downcall failed", t);
    }
}
