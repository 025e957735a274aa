package dev.skiff.p9.wire;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads whole frames from a byte stream. The size[4] field is checked before any body byte
 * is read: a frame shorter than its header or longer than {@link #maxSize()} throws
 * {@link FrameTooLongException} and nothing is allocated for it. Not thread-safe: one reader
 * per connection.
 */
public final class FrameReader {
    private final InputStream in;
    private volatile int maxSize;
    private final byte[] header = new byte[4];
    /**
     * The most asked of one read(2). FileInputStream copies through a native buffer of the
     * requested size, malloc'ed per call above 8 KiB; asking for a whole 1 MiB frame would mmap
     * and munmap on every partial read of a pipe or socket.
     */
    static final int CHUNK = 64 * 1024;

    public FrameReader(InputStream in, int maxSize) {
        this.in = in;
        this.maxSize = maxSize;
    }

    /** The largest frame accepted; the negotiated msize once Tversion is done. */
    public int maxSize() {
        return maxSize;
    }

    public void maxSize(int size) {
        this.maxSize = size;
    }

    /**
     * The next frame, decoded.
     *
     * @return null at a clean end of stream (between frames)
     */
    public Fcall read() throws IOException {
        byte[] frame = readFrame();
        return frame == null ? null : Codec.decode(frame, frame.length);
    }

    /** The next raw frame, size field included; null at a clean end of stream. */
    public byte[] readFrame() throws IOException {
        int n = in.readNBytes(header, 0, 4);
        if (n == 0) {
            return null;
        }
        if (n < 4) {
            throw new EOFException("stream ended inside a frame header");
        }
        long size = (header[0] & 0xffL) | (header[1] & 0xffL) << 8 | (header[2] & 0xffL) << 16
                | (header[3] & 0xffL) << 24;
        if (size < P9.HEADER_SIZE || size > maxSize) {
            throw new FrameTooLongException(size, maxSize);
        }
        byte[] frame = new byte[(int) size];
        System.arraycopy(header, 0, frame, 0, 4);
        for (int pos = 4; pos < frame.length; ) {
            int got = in.read(frame, pos, Math.min(CHUNK, frame.length - pos));
            if (got < 0) {
                throw new EOFException("stream ended inside a frame of " + size + " bytes");
            }
            pos += got;
        }
        return frame;
    }
}
