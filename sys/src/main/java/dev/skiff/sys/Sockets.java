package dev.skiff.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * socketpair(2), for handing one end of a byte stream to the kernel (9P's trans=fd), shutdown(2),
 * and whether the peer of a connected unix socket has gone ({@link #peerClosed}).
 */
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

    /**
     * Whether the peer of the connected unix stream socket {@code fd} has closed both directions
     * (closed its socket, or shut it down both ways), without reading or waiting: poll(2) reports
     * POLLHUP only then ({@code unix_poll} in net/unix/af_unix.c: {@code sk_shutdown ==
     * SHUTDOWN_MASK}), while a peer that only shut down its writing (a half-close, SHUT_WR) gives
     * end of file on read but no POLLHUP. TCP reports no such thing: its peer's close is a FIN,
     * the same as a half-close.
     */
    public static boolean peerClosed(int fd) throws ErrnoException {
        return (Fds.poll(fd, 0, 0) & (Fds.POLLHUP | Fds.POLLERR)) != 0;
    }

    /**
     * The descriptor of a socket channel of the JDK's ({@link java.nio.channels.SocketChannel} and
     * its kin), or -1 when the JVM does not let it be read: the JDK keeps it in its
     * {@code sun.nio.ch.SelChImpl#getFDVal}, which needs
     * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} on the java command line. The number
     * is only valid while the channel is open.
     */
    public static int fd(java.nio.channels.Channel channel) {
        java.lang.reflect.Method getFd = ChannelFd.GET_FD;
        if (getFd == null || !getFd.getDeclaringClass().isInstance(channel)) {
            return -1;
        }
        try {
            return (int) getFd.invoke(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    /** Looked up once: the JDK's channel interface and its descriptor getter, or null. */
    private static final class ChannelFd {
        static final java.lang.reflect.Method GET_FD = lookup();

        private static java.lang.reflect.Method lookup() {
            try {
                Class<?> impl = Class.forName("sun.nio.ch.SelChImpl");
                if (!impl.getModule().isExported(impl.getPackageName(), ChannelFd.class.getModule())) {
                    return null;
                }
                return impl.getMethod("getFDVal");
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
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
