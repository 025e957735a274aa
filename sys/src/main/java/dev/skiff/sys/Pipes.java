package dev.skiff.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** pipe2(2): the byte channels a parent hands to a child as its stdio. */
public final class Pipes {
    private Pipes() {}

    /** pipe2 flags, include/uapi/asm-generic/fcntl.h (the same values as open(2)'s on x86-64). */
    public static final int O_CLOEXEC = OpenFlags.O_CLOEXEC, O_NONBLOCK = OpenFlags.O_NONBLOCK;

    private static final MethodHandle PIPE2 = Libc.downcall("pipe2",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_POINTER, Libc.C_INT));

    /**
     * A new pipe; returns {@code {readFd, writeFd}}. Pass {@link #O_CLOEXEC} unless the pipe is
     * meant to leak into every child: a spawn makes the ends it hands over inheritable itself.
     */
    public static int[] pipe2(int flags) throws ErrnoException {
        if ((flags & ~(O_CLOEXEC | O_NONBLOCK)) != 0) {
            throw new IllegalArgumentException("unsupported pipe2 flags 0" + Integer.toOctalString(flags));
        }
        try (Frame frame = Frame.open()) {
            MemorySegment fds = frame.alloc(8, 4);
            Libc.call(frame, "pipe2", "", (f, cs) -> (int) PIPE2.invokeExact(cs, fds, flags));
            return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
    }
}
