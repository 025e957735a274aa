package dev.skiff.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * eventfd(2): the 8-byte counters vhost-user uses for a queue's kick (driver to device) and call
 * (device to driver) notifications. {@link #signal} adds to the counter; {@link #consume} blocks
 * until it is non-zero, then reads and resets it.
 */
public final class EventFds {
    private EventFds() {}

    /** eventfd flags, include/uapi/linux/eventfd.h (EFD_CLOEXEC is O_CLOEXEC). */
    static final int EFD_CLOEXEC = OpenFlags.O_CLOEXEC, EFD_NONBLOCK = OpenFlags.O_NONBLOCK;

    private static final MethodHandle EVENTFD = Libc.downcall("eventfd",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_INT, Libc.C_INT));
    private static final MethodHandle READ = Libc.downcall("read",
            FunctionDescriptor.of(Libc.C_LONG, Libc.C_INT, Libc.C_POINTER, Libc.C_LONG));
    private static final MethodHandle WRITE = Libc.downcall("write",
            FunctionDescriptor.of(Libc.C_LONG, Libc.C_INT, Libc.C_POINTER, Libc.C_LONG));

    /** A new close-on-exec eventfd whose counter starts at 0; blocking unless {@code nonBlocking}. */
    public static int create(boolean nonBlocking) throws ErrnoException {
        int flags = EFD_CLOEXEC | (nonBlocking ? EFD_NONBLOCK : 0);
        return (int) Libc.call("create", "eventfd", (f, cs) -> (int) EVENTFD.invokeExact(cs, 0, flags));
    }

    /** Adds 1 to the counter of eventfd {@code fd}, waking whoever waits in {@link #consume}. */
    public static void signal(int fd) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment one = frame.alloc(8, 8);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            Libc.call(frame, "signal eventfd", "fd " + fd, Libc.restarting(
                    (f, cs) -> (long) WRITE.invokeExact(cs, fd, one, 8L)));
        }
    }

    /**
     * Reads the counter of eventfd {@code fd} and resets it to 0: blocks while it is 0 on a
     * blocking eventfd; on a non-blocking one returns 0 then.
     */
    public static long consume(int fd) throws ErrnoException {
        try (Frame frame = Frame.open()) {
            MemorySegment counter = frame.alloc(8, 8);
            try {
                Libc.call(frame, "read eventfd", "fd " + fd, Libc.restarting((f, cs) -> (long) READ.invokeExact(cs, fd, counter, 8L)));
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    return 0;
                }
                throw e;
            }
            return counter.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /**
     * Waits until eventfd {@code fd} is non-zero, then reads and resets it; returns the count. It
     * waits in poll(2), so it blocks even on a non-blocking eventfd: the flag lives in the open
     * file description, which a descriptor passed over a socket shares with its sender (QEMU
     * makes its kick eventfds non-blocking), and a plain read would return at once.
     */
    public static long await(int fd) throws ErrnoException {
        while (true) {
            int events = Fds.poll(fd, Fds.POLLIN, -1);
            if ((events & (Fds.POLLERR | Fds.POLLHUP)) != 0 && (events & Fds.POLLIN) == 0) {
                throw new ErrnoException("wait on eventfd", "fd " + fd, Errno.EIO);
            }
            if ((events & Fds.POLLIN) != 0) {
                long count = consume(fd); // 0 on a non-blocking eventfd another reader emptied first
                if (count > 0) {
                    return count;
                }
            }
        }
    }
}
