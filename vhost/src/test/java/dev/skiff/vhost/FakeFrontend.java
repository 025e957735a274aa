package dev.skiff.vhost;

import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.FdPassing;
import dev.skiff.sys.Fds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * QEMU's end of a vhost-user connection in the tests: sends messages with their descriptors in
 * one sendmsg, as vhost_user_write does, and reads replies with a generous timeout.
 */
final class FakeFrontend implements AutoCloseable {
    static final int TIMEOUT_MS = 10_000;
    final int fd;
    private final Arena arena = Arena.ofShared(); // set up and used on different JUnit threads

    FakeFrontend(int fd) {
        this.fd = fd;
    }

    static ByteBuffer payload(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    static ByteBuffer u64(long v) {
        return payload(8).putLong(0, v);
    }

    static ByteBuffer state(int index, int num) {
        return payload(8).putInt(0, index).putInt(4, num);
    }

    void send(int request, ByteBuffer payload, int... fds) throws ErrnoException {
        send(request, VhostUser.VERSION, payload, fds);
    }

    void send(int request, int flags, ByteBuffer payload, int... fds) throws ErrnoException {
        ByteBuffer msg = payload(Header.SIZE + payload.capacity());
        msg.putInt(request).putInt(flags).putInt(payload.capacity()).put(payload.array());
        sendRaw(msg.array(), fds);
    }

    void sendRaw(byte[] bytes, int... fds) throws ErrnoException {
        MemorySegment out = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, out, ValueLayout.JAVA_BYTE, 0, bytes.length);
        long done = FdPassing.send(fd, out, bytes.length, fds);
        while (done < bytes.length) {
            done += Fds.write(fd, out.asSlice(done), bytes.length - done);
        }
    }

    /** Sends with need_reply and expects REPLY_ACK's u64 status. */
    long sendAcked(int request, ByteBuffer payload, int... fds) throws ErrnoException {
        send(request, VhostUser.VERSION | VhostUser.FLAG_NEED_REPLY, payload, fds);
        return reply(request).getLong(0);
    }

    /** The payload of the next reply, which must answer {@code request} with flags exactly 0x5. */
    ByteBuffer reply(int request) throws ErrnoException {
        byte[] header = readExactly(Header.SIZE);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(request, h.getInt(0), "reply to");
        assertEquals(0x5, h.getInt(4), "reply flags");
        return ByteBuffer.wrap(readExactly(h.getInt(8))).order(ByteOrder.LITTLE_ENDIAN);
    }

    long u64(int request) throws ErrnoException {
        send(request, payload(0));
        ByteBuffer r = reply(request);
        assertEquals(8, r.capacity());
        return r.getLong(0);
    }

    /** Whether the back-end closed the connection (read returns end of file within the timeout). */
    boolean closedByBackend() throws ErrnoException {
        if (Fds.poll(fd, Fds.POLLIN, TIMEOUT_MS) == 0) {
            return false;
        }
        return Fds.read(fd, arena.allocate(1), 1) == 0;
    }

    private byte[] readExactly(int n) throws ErrnoException {
        MemorySegment in = arena.allocate(Math.max(1, n));
        for (long done = 0; done < n; ) {
            assertNotEquals(0, Fds.poll(fd, Fds.POLLIN, TIMEOUT_MS), "no reply within " + TIMEOUT_MS + " ms");
            long got = Fds.read(fd, in.asSlice(done), n - done);
            assertNotEquals(0, got, "the back-end closed the connection");
            done += got;
        }
        return in.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            Fds.closeQuietly(fd);
            arena.close();
        }
    }
}
