package dev.skiff.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** socketpair(2), for handing one end of a byte stream to the kernel (9P's trans=fd), and shutdown(2). */
public final class Sockets {
    private Sockets() {}

    static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 02000000;

    private static final MethodHandle SOCKETPAIR = Libc.downcall("socketpair",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_INT, Libc.C_INT, Libc.C_INT, Libc.C_POINTER));

    private static final MethodHandle SHUTDOWN = Libc.downcall("shutdown",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_INT, Libc.C_INT));
    private static final int SHUT_RDWR = 2;

    /**
     * shutdown(2) both ways: the peer reads end of file and a read blocked on {@code fd} in another
     * thread returns, which close(2) alone does not do (the blocked read keeps the socket open).
     */
    public static void shutdown(int fd) throws ErrnoException {
        Libc.call("shutdown", fd, (f, cs) -> (int) SHUTDOWN.invokeExact(cs, fd, SHUT_RDWR));
    }

    /** A connected pair of unix stream sockets, close-on-exec; returns their two descriptors. */
    public static int[] streamPair() throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment fds = frame.alloc(8, 4);
            Libc.call(frame, "create socket pair", "",
                    (f, cs) -> (int) SOCKETPAIR.invokeExact(cs, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds));
            return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
        }
    }
}
