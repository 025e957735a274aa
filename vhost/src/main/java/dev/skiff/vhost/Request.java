package dev.skiff.vhost;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One buffer popped from a queue: what the driver gave the device to read, and where the device
 * may write its answer. The segments are guest memory, valid until the session replaces or
 * unmaps it. {@link #complete} returns the buffer to the driver exactly once.
 */
public final class Request {
    private final Vring vring;
    private final long generation;
    private final DescriptorChain chain;
    private final AtomicBoolean completed = new AtomicBoolean();

    Request(Vring vring, long generation, DescriptorChain chain) {
        this.vring = vring;
        this.generation = generation;
        this.chain = chain;
    }

    /** The queue this request came from. */
    public int queueIndex() {
        return vring.index();
    }

    /** The device-readable buffers, in chain order. */
    public List<MemorySegment> readable() {
        return chain.readable();
    }

    /** The device-writable buffers, in chain order. */
    public List<MemorySegment> writable() {
        return chain.writable();
    }

    public long readableBytes() {
        return chain.readableBytes();
    }

    public long writableBytes() {
        return chain.writableBytes();
    }

    /**
     * Puts this buffer on the used ring with {@code writtenBytes} (bytes written into
     * {@link #writable}) and notifies the driver if it asked for it.
     *
     * @throws IllegalArgumentException if {@code writtenBytes} is negative or more than writable
     * @throws IllegalStateException if already completed
     */
    public void complete(int writtenBytes) {
        if (writtenBytes < 0 || writtenBytes > chain.writableBytes()) {
            throw new IllegalArgumentException(writtenBytes + " bytes written into " + chain.writableBytes());
        }
        if (!completed.compareAndSet(false, true)) {
            throw new IllegalStateException("request " + chain.head() + " completed twice");
        }
        vring.complete(generation, chain.head(), writtenBytes);
    }
}
