package dev.skiff.p9.wire;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes whole frames to a byte stream, one at a time: replies produced concurrently never
 * interleave. A write that would exceed {@link #maxSize()} is refused before any byte is sent.
 * Large frames go out in {@link FrameReader#CHUNK} pieces, for the same reason as there.
 */
public final class FrameWriter {
    private final OutputStream out;
    private volatile int maxSize;

    public FrameWriter(OutputStream out, int maxSize) {
        this.out = out;
        this.maxSize = maxSize;
    }

    public int maxSize() {
        return maxSize;
    }

    public void maxSize(int size) {
        this.maxSize = size;
    }

    /** Encodes and writes one message, then flushes. */
    public void write(int tag, Message m) throws IOException {
        writeFrame(Codec.encode(tag, m));
    }

    /** Writes an already encoded frame, then flushes. */
    public synchronized void writeFrame(byte[] frame) throws IOException {
        if (frame.length > maxSize) {
            throw new FrameTooLongException(frame.length, maxSize);
        }
        for (int pos = 0; pos < frame.length; pos += FrameReader.CHUNK) {
            out.write(frame, pos, Math.min(FrameReader.CHUNK, frame.length - pos));
        }
        out.flush();
    }
}
