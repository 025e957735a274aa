package dev.skiff.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The native memory of one downcall: the errno capture state, C strings and small structs, cut
 * from a reused scratch segment instead of a fresh confined arena (a malloc and a free per
 * call). Open one per call with try-with-resources; everything it handed out is invalid after
 * {@link #close}.
 *
 * <p>A platform thread keeps its own frame; virtual threads, which come and go per request,
 * borrow from a small shared pool of at most {@link #MAX_POOLED}. What does not fit in the
 * {@link #SIZE} bytes of scratch (two PATH_MAX paths and the structs fit) comes from a confined
 * arena opened for that call only. Structs are zeroed; strings are NUL-terminated UTF-8, as
 * {@link Arena#allocateFrom(String)} makes them.
 */
final class Frame implements AutoCloseable {
    static final int SIZE = 16 * 1024;
    static final int MAX_POOLED = 64;
    private static final ConcurrentLinkedQueue<Frame> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();
    private static final ThreadLocal<Frame> OWN = new ThreadLocal<>();

    /** Freed by the collector once the frame is dropped (a dead thread's, or one the pool had no room for). */
    private final Arena arena = Arena.ofAuto();
    private final MemorySegment scratch = arena.allocate(SIZE, 16);
    private final MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
    private final boolean own;
    private boolean busy;
    private long used;
    private Arena overflow;

    private Frame(boolean own) {
        this.own = own;
    }

    /** A frame for one call on the current thread. */
    static Frame open() {
        Thread t = Thread.currentThread();
        if (!t.isVirtual()) {
            Frame f = OWN.get();
            if (f == null) {
                f = new Frame(true);
                OWN.set(f);
            }
            if (!f.busy) {
                f.busy = true;
                return f;
            }
        }
        Frame f = POOL.poll();
        if (f == null) {
            return new Frame(false);
        }
        POOLED.decrementAndGet();
        return f;
    }

    /** The errno capture state; pass it as the first argument of a {@link Libc#downcall} handle. */
    MemorySegment capture() {
        return capture;
    }

    /** {@code size} zeroed bytes aligned to {@code align} (a power of two, at most 16). */
    MemorySegment alloc(long size, long align) {
        long at = (used + align - 1) & -align;
        if (at + size > SIZE) {
            return overflow().allocate(size, align);
        }
        used = at + size;
        return scratch.asSlice(at, size).fill((byte) 0);
    }

    /** {@code s} as a NUL-terminated UTF-8 C string. */
    MemorySegment str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (used + b.length + 1 > SIZE) {
            return overflow().allocateFrom(s);
        }
        MemorySegment seg = scratch.asSlice(used, b.length + 1);
        MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, 0, b.length);
        seg.set(ValueLayout.JAVA_BYTE, b.length, (byte) 0);
        used += b.length + 1;
        return seg;
    }

    /** A copy of {@code b}. */
    MemorySegment bytes(byte[] b) {
        MemorySegment seg = alloc(b.length, 1);
        MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, 0, b.length);
        return seg;
    }

    /** {@code s} as a C string, or NULL for null. */
    MemorySegment strOrNull(String s) {
        return s == null ? MemorySegment.NULL : str(s);
    }

    private Arena overflow() {
        if (overflow == null) {
            overflow = Arena.ofConfined();
        }
        return overflow;
    }

    @Override
    public void close() {
        used = 0;
        if (overflow != null) {
            overflow.close();
            overflow = null;
        }
        if (own) {
            busy = false;
        } else if (POOLED.incrementAndGet() <= MAX_POOLED) {
            POOL.offer(this);
        } else {
            POOLED.decrementAndGet();
        }
    }
}
