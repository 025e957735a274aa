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
 * is read from the call itself, not from a later libc call on the same thread. Wrappers make
 * their calls through {@link #call}, which owns the frame, the capture, the check and the
 * rethrow.
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

    /**
     * One downcall through a {@link #downcall} handle, as {@link #call} makes it: pass
     * {@code capture} as the handle's first argument and return what the handle returned (an
     * {@code int} result widens). {@code frame} holds the call's strings and structs.
     */
    @FunctionalInterface
    interface NativeCall {
        long invoke(Frame frame, MemorySegment capture) throws Throwable;
    }

    /**
     * Makes {@code c} in a {@link Frame} of its own and checks its result: a negative one throws
     * an {@link ErrnoException} "failed to CALL OBJECT: strerror" with the errno the call itself
     * set. Anything else the handle throws comes out unchecked ({@link #rethrow}).
     *
     * <p>This is the one shape of every syscall wrapper, so it allocates nothing of its own: the
     * frame is the thread's own or a pooled one (no arena), the result is a primitive
     * {@code long} (no boxing), the arity is fixed (no varargs array). What remains per call is
     * the lambda that captures the call's arguments: C2 can scalar-replace it once it inlines
     * this method, C1 (which {@code skiff 9p serve} runs with) allocates it. Not measured.
     */
    static long call(String call, String object, NativeCall c) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            return call(frame, call, object, c);
        }
    }

    /**
     * {@link #call(String, String, NativeCall)} on descriptor {@code fd}, whose "fd N" is written
     * only when the call fails: pread/pwrite/read/write of the 9P server go through here, and
     * building the object string eagerly would cost them two allocations per call.
     */
    static long call(String call, int fd, NativeCall c) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment capture = frame.capture();
            long result = invoke(frame, capture, c);
            if (result < 0) {
                throw new ErrnoException(call, "fd " + fd, errno(capture));
            }
            return result;
        }
    }

    /**
     * {@link #call(String, String, NativeCall)} in a frame the caller holds open, for a call whose
     * struct or buffer from the frame is read after it returns.
     */
    static long call(Frame frame, String call, String object, NativeCall c) throws ErrnoException {
        MemorySegment capture = frame.capture();
        long result = invoke(frame, capture, c);
        if (result < 0) {
            throw new ErrnoException(call, object, errno(capture));
        }
        return result;
    }

    private static long invoke(Frame frame, MemorySegment capture, NativeCall c) throws ErrnoException {
        try {
            return c.invoke(frame, capture);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code c} made again while it fails with EINTR, for calls that block until a peer or a child
     * does something (accept, connect, recvmsg, sendmsg, waitpid, waitid).
     */
    static NativeCall restarting(NativeCall c) {
        return (frame, capture) -> {
            long result;
            do {
                result = c.invoke(frame, capture);
            } while (result < 0 && errno(capture) == Errno.EINTR);
            return result;
        };
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
