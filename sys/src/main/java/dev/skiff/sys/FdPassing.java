package dev.skiff.sys;

import static dev.skiff.sys.Libc.C_INT;
import static dev.skiff.sys.Libc.C_LONG;
import static dev.skiff.sys.Libc.C_POINTER;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * Unix stream sockets at a path, and descriptors passed over them as SCM_RIGHTS control
 * messages (unix(7), cmsg(3)). runc's {@code --console-socket} connects to such a socket and
 * sends the pty master this way, with the pty's name as the payload.
 *
 * <p>Every descriptor made here is close-on-exec. Struct layouts are those of 64-bit Linux:
 * sockaddr_un is a 2-byte family and 108 bytes of path; msghdr is 56 bytes; a cmsghdr is a
 * size_t length, then level and type, then the data at offset 16.
 */
public final class FdPassing {
    private FdPassing() {}

    /** The longest socket path: sun_path holds 108 bytes including the terminating NUL. */
    public static final int MAX_PATH = 107;
    /** The listen(2) backlog; a console socket sees one connection per container. */
    public static final int BACKLOG = 16;
    /** The largest payload read with a descriptor; runc sends a pty name of a few bytes. */
    public static final int MAX_PAYLOAD = 4096;
    /** How many descriptors one message may carry before we call it a protocol error. */
    static final int MAX_FDS = 16;
    /** The most descriptors {@link #receive} makes room for and {@link #send} passes in one message. */
    public static final int MAX_RECEIVE_FDS = 64;

    static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 02000000;
    static final int SOL_SOCKET = 1, SCM_RIGHTS = 1, MSG_CTRUNC = 0x8, MSG_NOSIGNAL = 0x4000,
            MSG_CMSG_CLOEXEC = 0x40000000;
    static final long SOCKADDR_UN_SIZE = 110, MSGHDR_SIZE = 56, CMSG_HEADER = 16;

    private static final MethodHandle SOCKET = Libc.downcall("socket",
            FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT));
    private static final MethodHandle BIND = Libc.downcall("bind",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    private static final MethodHandle LISTEN = Libc.downcall("listen", FunctionDescriptor.of(C_INT, C_INT, C_INT));
    private static final MethodHandle CONNECT = Libc.downcall("connect",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    private static final MethodHandle ACCEPT4 = Libc.downcall("accept4",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_POINTER, C_INT));
    private static final MethodHandle RECVMSG = Libc.downcall("recvmsg",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_INT));
    private static final MethodHandle SENDMSG = Libc.downcall("sendmsg",
            FunctionDescriptor.of(C_LONG, C_INT, C_POINTER, C_INT));

    /** socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC), bind(2) to {@code path}, listen(2). */
    public static int listenUnix(String path) throws ErrnoException {
        byte[] sunPath = sunPath(path);
        int fd = socket(path);
        try (Frame frame = Frame.open()) {
            MemorySegment addr = sockaddr(frame, sunPath);
            Libc.call(frame, "bind", path, (f, cs) -> (int) BIND.invokeExact(cs, fd, addr, (int) addr.byteSize()));
            Libc.call(frame, "listen on", path, (f, cs) -> (int) LISTEN.invokeExact(cs, fd, BACKLOG));
            return fd;
        } catch (Throwable t) {
            Fds.closeQuietly(fd);
            throw t;
        }
    }

    /** socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC), then connect(2) to {@code path}. */
    public static int connectUnix(String path) throws ErrnoException {
        byte[] sunPath = sunPath(path);
        int fd = socket(path);
        try (Frame frame = Frame.open()) {
            MemorySegment addr = sockaddr(frame, sunPath);
            Libc.call(frame, "connect to", path, Libc.restarting(
                    (f, cs) -> (int) CONNECT.invokeExact(cs, fd, addr, (int) addr.byteSize())));
            return fd;
        } catch (Throwable t) {
            Fds.closeQuietly(fd);
            throw t;
        }
    }

    /** accept4(2) with SOCK_CLOEXEC; blocks until a peer connects. */
    public static int accept(int listenFd) throws ErrnoException {
        return (int) Libc.call("accept on", "fd " + listenFd, Libc.restarting((f, cs) ->
                (int) ACCEPT4.invokeExact(cs, listenFd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC)));
    }

    /**
     * recvmsg(2) with MSG_CMSG_CLOEXEC: one message that carries one descriptor in an
     * SCM_RIGHTS control message; the payload (up to {@link #MAX_PAYLOAD} bytes) is dropped.
     *
     * @return the received descriptor, close-on-exec
     * @throws IOException if the peer closed without sending a descriptor, or sent more than one
     *     or a truncated control message (any descriptors that did arrive are closed)
     */
    public static int receiveFd(int socketFd) throws IOException {
        try (Frame frame = Frame.open()) {
            MemorySegment payload = frame.alloc(MAX_PAYLOAD, 1);
            long controlSize = CMSG_HEADER + 4L * MAX_FDS;
            MemorySegment control = frame.alloc(controlSize, 8);
            MemorySegment msg = msghdr(frame, payload, MAX_PAYLOAD, control, controlSize);
            long n = Libc.call(frame, "recvmsg on", "fd " + socketFd, Libc.restarting(
                    (f, cs) -> (long) RECVMSG.invokeExact(cs, socketFd, msg, MSG_CMSG_CLOEXEC)));
            int[] fds = rights(msg, control);
            int flags = msg.get(ValueLayout.JAVA_INT, 48);
            if (fds.length == 1 && (flags & MSG_CTRUNC) == 0) {
                return fds[0];
            }
            for (int fd : fds) {
                Fds.closeQuietly(fd);
            }
            String what = (flags & MSG_CTRUNC) != 0 ? "a truncated control message"
                    : fds.length == 0 ? (n == 0 ? "end of stream" : n + " bytes and no file descriptor")
                    : fds.length + " file descriptors";
            throw new IOException("failed to receive a file descriptor on fd " + socketFd + ": got " + what);
        }
    }

    /** sendmsg(2) of {@code fd} as SCM_RIGHTS with a one-byte payload (a stream needs some data). */
    public static void sendFd(int socketFd, int fd) throws ErrnoException {
        sendFd(socketFd, fd, new byte[] {0});
    }

    /** sendmsg(2) of {@code fd} as SCM_RIGHTS with {@code payload}, as runc sends a pty master and its name. */
    public static void sendFd(int socketFd, int fd, byte[] payload) throws ErrnoException {
        if (payload.length == 0 || payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes; need 1 to " + MAX_PAYLOAD);
        }
        try (Frame frame = Frame.open()) {
            long controlSize = CMSG_HEADER + 8; // CMSG_SPACE(sizeof(int))
            MemorySegment control = frame.alloc(controlSize, 8);
            control.set(ValueLayout.JAVA_LONG, 0, CMSG_HEADER + 4); // CMSG_LEN(sizeof(int))
            control.set(ValueLayout.JAVA_INT, 8, SOL_SOCKET);
            control.set(ValueLayout.JAVA_INT, 12, SCM_RIGHTS);
            control.set(ValueLayout.JAVA_INT, CMSG_HEADER, fd);
            MemorySegment msg = msghdr(frame, frame.bytes(payload), payload.length, control, controlSize);
            // The descriptor travels with the first byte; a short write still sent it.
            Libc.call(frame, "sendmsg on", "fd " + socketFd, Libc.restarting(
                    (f, cs) -> (long) SENDMSG.invokeExact(cs, socketFd, msg, MSG_NOSIGNAL)));
        }
    }

    /**
     * What one {@link #receive} got: {@code bytes} of payload (0 at end of stream), the
     * descriptors of its SCM_RIGHTS messages (owned by the caller now, close-on-exec), and
     * whether the kernel truncated the control data (MSG_CTRUNC: more descriptors came than
     * there was room for; the kernel closed those that did not fit).
     */
    public record Received(long bytes, int[] fds, boolean controlTruncated) {}

    /**
     * recvmsg(2) with MSG_CMSG_CLOEXEC into {@code buffer} (up to its size), with room for
     * {@code maxFds} descriptors (1 to {@link #MAX_RECEIVE_FDS}). A protocol such as vhost-user
     * sends a message's descriptors with its first bytes; read its header with this call and
     * the rest with {@link Fds#read}.
     */
    public static Received receive(int socketFd, MemorySegment buffer, int maxFds) throws ErrnoException {
        if (maxFds < 1 || maxFds > MAX_RECEIVE_FDS) {
            throw new IllegalArgumentException("room for 1 to " + MAX_RECEIVE_FDS + " descriptors, not " + maxFds);
        }
        if (buffer.byteSize() == 0) {
            throw new IllegalArgumentException("an empty buffer");
        }
        try (Frame frame = Frame.open()) {
            long controlSize = CMSG_HEADER + ((4L * maxFds + 7) & ~7L); // CMSG_SPACE(maxFds * sizeof(int))
            MemorySegment control = frame.alloc(controlSize, 8);
            MemorySegment msg = msghdr(frame, buffer, buffer.byteSize(), control, controlSize);
            long n = Libc.call(frame, "recvmsg on", "fd " + socketFd, Libc.restarting(
                    (f, cs) -> (long) RECVMSG.invokeExact(cs, socketFd, msg, MSG_CMSG_CLOEXEC)));
            int flags = msg.get(ValueLayout.JAVA_INT, 48);
            return new Received(n, rights(msg, control), (flags & MSG_CTRUNC) != 0);
        }
    }

    /**
     * sendmsg(2) of the first {@code length} bytes of {@code data} with {@code fds} (none to
     * {@link #MAX_RECEIVE_FDS}) as one SCM_RIGHTS message. Returns the bytes sent, which on a
     * stream socket may be fewer than {@code length}; the descriptors went with the first byte,
     * so the caller writes the rest with {@link Fds#write}.
     */
    public static long send(int socketFd, MemorySegment data, long length, int... fds) throws ErrnoException {
        if (length <= 0 || length > data.byteSize()) {
            throw new IllegalArgumentException("send 1 to " + data.byteSize() + " bytes, not " + length);
        }
        if (fds.length > MAX_RECEIVE_FDS) {
            throw new IllegalArgumentException(fds.length + " descriptors; at most " + MAX_RECEIVE_FDS);
        }
        try (Frame frame = Frame.open()) {
            MemorySegment control = MemorySegment.NULL;
            long controlSize = 0;
            if (fds.length > 0) {
                controlSize = CMSG_HEADER + ((4L * fds.length + 7) & ~7L);
                control = frame.alloc(controlSize, 8);
                control.set(ValueLayout.JAVA_LONG, 0, CMSG_HEADER + 4L * fds.length); // CMSG_LEN
                control.set(ValueLayout.JAVA_INT, 8, SOL_SOCKET);
                control.set(ValueLayout.JAVA_INT, 12, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.set(ValueLayout.JAVA_INT, CMSG_HEADER + 4L * i, fds[i]);
                }
            }
            MemorySegment msg = msghdr(frame, data, length, control, controlSize);
            return Libc.call(frame, "sendmsg on", "fd " + socketFd, Libc.restarting(
                    (f, cs) -> (long) SENDMSG.invokeExact(cs, socketFd, msg, MSG_NOSIGNAL)));
        }
    }

    private static int socket(String path) throws ErrnoException {
        return (int) Libc.call("create socket for", path,
                (f, cs) -> (int) SOCKET.invokeExact(cs, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    }

    /** The bytes of sun_path, checked against its size before any socket is made. */
    private static byte[] sunPath(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > MAX_PATH || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("unix socket path must be 1 to " + MAX_PATH + " bytes without NUL: "
                    + bytes.length + " bytes in " + path);
        }
        return bytes;
    }

    private static MemorySegment sockaddr(Frame frame, byte[] sunPath) {
        MemorySegment addr = frame.alloc(SOCKADDR_UN_SIZE, 2);
        addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(sunPath, 0, addr, ValueLayout.JAVA_BYTE, 2, sunPath.length);
        return addr; // zero-filled, so the path is NUL-terminated
    }

    /** struct msghdr with no address and a single iovec. */
    private static MemorySegment msghdr(Frame frame, MemorySegment data, long length, MemorySegment control,
            long controlSize) {
        MemorySegment iov = frame.alloc(16, 8);
        iov.set(ValueLayout.ADDRESS, 0, data);
        iov.set(ValueLayout.JAVA_LONG, 8, length);
        MemorySegment msg = frame.alloc(MSGHDR_SIZE, 8);
        msg.set(ValueLayout.ADDRESS, 16, iov);
        msg.set(ValueLayout.JAVA_LONG, 24, 1L);
        msg.set(ValueLayout.ADDRESS, 32, control);
        msg.set(ValueLayout.JAVA_LONG, 40, controlSize);
        return msg;
    }

    /** Every descriptor in the SCM_RIGHTS messages of a received msghdr (CMSG_FIRSTHDR/CMSG_NXTHDR). */
    private static int[] rights(MemorySegment msg, MemorySegment control) {
        long controlLen = msg.get(ValueLayout.JAVA_LONG, 40);
        int[] fds = new int[0];
        for (long off = 0; off + CMSG_HEADER <= controlLen; ) {
            long len = control.get(ValueLayout.JAVA_LONG, off);
            if (len < CMSG_HEADER || off + len > controlLen) {
                break;
            }
            if (control.get(ValueLayout.JAVA_INT, off + 8) == SOL_SOCKET
                    && control.get(ValueLayout.JAVA_INT, off + 12) == SCM_RIGHTS) {
                int count = (int) ((len - CMSG_HEADER) / 4);
                int[] more = java.util.Arrays.copyOf(fds, fds.length + count);
                for (int i = 0; i < count; i++) {
                    more[fds.length + i] = control.get(ValueLayout.JAVA_INT, off + CMSG_HEADER + 4L * i);
                }
                fds = more;
            }
            off += (len + 7) & ~7L;
        }
        return fds;
    }
}
