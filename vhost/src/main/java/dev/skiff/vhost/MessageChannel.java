package dev.skiff.vhost;

import static dev.skiff.vhost.VhostUserException.Kind.*;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.FdPassing;
import dev.skiff.sys.Fds;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Framing of vhost-user messages on a connected unix stream socket: reads a header with the
 * descriptors that travel with its first bytes (SCM_RIGHTS), then exactly its payload; writes
 * replies. It parses nothing beyond the header and never interprets a request.
 *
 * <p>Used by one reading thread; {@link #write} may be called from the same thread only.
 */
final class MessageChannel implements AutoCloseable {
    /** One message as read: the header, its payload, and descriptors the caller now owns. */
    record Raw(Header header, byte[] payload, int[] fds) {}

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(Math.max(Header.SIZE, Limits.MAX_PAYLOAD));

    MessageChannel(int fd) {
        this.fd = fd;
    }

    /**
     * The next message, or null when the peer closed the connection between messages.
     *
     * @throws VhostUserException for too many descriptors, an oversized payload or a message the
     *     connection ended inside (any descriptors received are closed)
     * @throws ErrnoException if the socket fails
     */
    Raw read() throws VhostUserException, ErrnoException {
        FdPassing.Received first = FdPassing.receive(fd, buffer.asSlice(0, Header.SIZE), Limits.MAX_FDS_PER_MESSAGE);
        int[] fds = first.fds();
        try {
            if (first.controlTruncated()) {
                throw new VhostUserException(TOO_LONG, "a message with more than " + Limits.MAX_FDS_PER_MESSAGE
                        + " descriptors");
            }
            if (first.bytes() == 0) {
                closeAll(fds);
                return null;
            }
            readFully(first.bytes(), Header.SIZE, "header");
            Header header = Header.decode(buffer.asSlice(0, Header.SIZE).asByteBuffer());
            if (header.size() < 0 || header.size() > Limits.MAX_PAYLOAD) {
                throw new VhostUserException(TOO_LONG, VhostUser.name(header.request()) + " with "
                        + Integer.toUnsignedString(header.size()) + " payload bytes; at most " + Limits.MAX_PAYLOAD);
            }
            readFully(0, header.size(), VhostUser.name(header.request()));
            byte[] payload = buffer.asSlice(0, header.size()).toArray(ValueLayout.JAVA_BYTE);
            return new Raw(header, payload, fds);
        } catch (VhostUserException | ErrnoException | RuntimeException e) {
            closeAll(fds);
            throw e;
        }
    }

    private void readFully(long have, long want, String what) throws VhostUserException, ErrnoException {
        while (have < want) {
            long n = Fds.read(fd, buffer.asSlice(have), want - have);
            if (n == 0) {
                throw new VhostUserException(TRUNCATED, "the connection ended after " + have + " of " + want
                        + " bytes of a " + what);
            }
            have += n;
        }
    }

    /** Writes one encoded reply (see {@link Replies}) whole. */
    void write(byte[] reply) throws ErrnoException {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment out = local.allocate(reply.length);
            MemorySegment.copy(reply, 0, out, ValueLayout.JAVA_BYTE, 0, reply.length);
            for (long done = 0; done < reply.length; ) {
                done += Fds.write(fd, out.asSlice(done), reply.length - done);
            }
        }
    }

    private static void closeAll(int[] fds) {
        Arrays.stream(fds).forEach(Fds::closeQuietly);
    }

    /** Frees the buffer; the socket is the session's to close. */
    @Override
    public void close() {
        arena.close();
    }
}
