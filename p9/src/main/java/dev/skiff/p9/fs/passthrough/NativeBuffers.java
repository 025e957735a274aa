package dev.skiff.p9.fs.passthrough;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small pool of page-aligned native I/O buffers of {@link #SIZE} bytes (the 1 MiB msize
 * cap), so that a read or write allocates and zeroes nothing. Page alignment lets O_DIRECT
 * descriptors be honoured. At most {@link #MAX_POOLED} buffers are kept; beyond that a
 * borrowed buffer is freed on return. Ownership: a borrowed buffer belongs to one request until
 * {@link #release}.
 */
final class NativeBuffers {
    static final int SIZE = 1 << 20;
    static final int MAX_POOLED = 32;
    private static final ConcurrentLinkedQueue<Buffer> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    private NativeBuffers() {}

    record Buffer(Arena arena, MemorySegment segment) {}

    static Buffer borrow() {
        Buffer b = POOL.poll();
        if (b != null) {
            POOLED.decrementAndGet();
            return b;
        }
        Arena arena = Arena.ofShared();
        return new Buffer(arena, arena.allocate(SIZE, 4096));
    }

    static void release(Buffer b) {
        if (POOLED.incrementAndGet() <= MAX_POOLED) {
            POOL.offer(b);
        } else {
            POOLED.decrementAndGet();
            b.arena().close();
        }
    }
}
