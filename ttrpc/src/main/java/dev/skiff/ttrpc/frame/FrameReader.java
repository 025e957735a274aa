package dev.skiff.ttrpc.frame;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Reads frames from a byte stream. Not thread-safe: one reader thread per connection.
 *
 * <p>Parsing has two states, header then data. A header announcing more than
 * {@link FrameHeader#MAX_DATA_LENGTH} bytes is answered by skipping the data in
 * {@value #SKIP_CHUNK}-byte chunks and throwing {@link OversizedFrameException}; the reader stays
 * usable. Frames of an unknown message type are skipped (PROTOCOL.md reserves them for future
 * use; containerd's server ignores them too).
 */
public final class FrameReader {
    static final int SKIP_CHUNK = 8192;

    private final InputStream in;
    private final byte[] headerBuf = new byte[FrameHeader.SIZE];

    public FrameReader(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    /**
     * Reads the next frame.
     *
     * @return the frame, or {@code null} if the stream ended cleanly between frames
     * @throws OversizedFrameException if the peer sent a frame over the cap (its data is skipped)
     * @throws EOFException if the stream ended inside a frame
     */
    public Frame read() throws IOException {
        while (true) {
            int n = in.readNBytes(headerBuf, 0, FrameHeader.SIZE);
            if (n == 0) {
                return null;
            }
            if (n < FrameHeader.SIZE) {
                throw new EOFException("connection ended inside a frame header (" + n + " of 10 bytes)");
            }
            FrameHeader header = FrameHeader.decode(headerBuf);
            if (!header.withinCap()) {
                skip(header.unsignedLength());
                throw new OversizedFrameException(header.streamId(), header.unsignedLength());
            }
            byte[] payload = in.readNBytes(header.length());
            if (payload.length < header.length()) {
                throw new EOFException("connection ended inside a frame: got " + payload.length + " of "
                        + header.length() + " data bytes");
            }
            MessageType type = header.messageType();
            if (type != null) {
                return Frame.of(type, header.streamId(), header.flags(), payload);
            }
        }
    }

    private void skip(long remaining) throws IOException {
        byte[] sink = new byte[(int) Math.min(SKIP_CHUNK, remaining)];
        while (remaining > 0) {
            int n = in.read(sink, 0, (int) Math.min(sink.length, remaining));
            if (n < 0) {
                throw new EOFException("connection ended while skipping an oversized frame");
            }
            remaining -= n;
        }
    }
}
