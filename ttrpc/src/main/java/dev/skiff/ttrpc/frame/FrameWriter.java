package dev.skiff.ttrpc.frame;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes frames to a byte stream. Thread-safe: a frame's header and data are written and
 * flushed as one unit under a lock, so concurrent senders never interleave.
 */
public final class FrameWriter {
    private final OutputStream out;
    private final ReentrantLock lock = new ReentrantLock();

    public FrameWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /**
     * Writes one frame and flushes it.
     *
     * @throws OversizedFrameException if the payload exceeds the cap; nothing is written
     */
    public void write(Frame frame) throws IOException {
        lock.lock();
        try {
            writeLocked(frame);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code action} while holding the write lock, so that no other frame can be written in
     * between; the client uses this to allocate a stream id and send its Request atomically, which
     * keeps stream ids increasing on the wire.
     */
    public <T> T withLock(LockedAction<T> action) throws IOException {
        lock.lock();
        try {
            return action.run(this::writeLocked);
        } finally {
            lock.unlock();
        }
    }

    private void writeLocked(Frame frame) throws IOException {
        byte[] payload = frame.payload();
        if (payload.length > FrameHeader.MAX_DATA_LENGTH) {
            throw new OversizedFrameException(frame.streamId(), payload.length);
        }
        byte[] buf = new byte[FrameHeader.SIZE + payload.length];
        frame.header().encode(buf);
        System.arraycopy(payload, 0, buf, FrameHeader.SIZE, payload.length);
        out.write(buf);
        out.flush();
    }

    /** Writes one frame without taking the lock again; only valid inside {@link #withLock}. */
    @FunctionalInterface
    public interface LockedWrite {
        void write(Frame frame) throws IOException;
    }

    /** Work done under the write lock. */
    @FunctionalInterface
    public interface LockedAction<T> {
        T run(LockedWrite write) throws IOException;
    }
}
