package dev.skiff.virtiofs.wire;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The writable part of a request seen as one run of bytes across its segments (the kernel gives
 * the out header, the out arguments and each data page as separate descriptors). Nothing is ever
 * written past {@link #capacity()}: a write that does not fit throws before writing anything.
 */
public final class GuestBuffer {
    private final List<MemorySegment> segments;
    private final long capacity;

    public GuestBuffer(List<MemorySegment> segments) {
        this.segments = segments;
        long n = 0;
        for (MemorySegment s : segments) {
            n += s.byteSize();
        }
        this.capacity = n;
    }

    public long capacity() {
        return capacity;
    }

    /** Writes {@code src[0 .. len)} at byte {@code at}; refuses a range outside the buffer. */
    public void put(long at, byte[] src, int len) {
        int done = 0;
        for (MemorySegment s : slices(at, len)) {
            MemorySegment.copy(src, done, s, ValueLayout.JAVA_BYTE, 0, (int) s.byteSize());
            done += (int) s.byteSize();
        }
    }

    /** The segments that cover bytes {@code [at, at + len)}, sliced to exactly that range. */
    public List<MemorySegment> slices(long at, long len) {
        if (at < 0 || len < 0 || at + len > capacity) {
            throw new IndexOutOfBoundsException(len + " bytes at " + at + " of a " + capacity + "-byte buffer");
        }
        List<MemorySegment> out = new ArrayList<>();
        long pos = 0;
        for (MemorySegment s : segments) {
            if (len == 0) {
                break;
            }
            long size = s.byteSize();
            if (at < pos + size) {
                long from = at - pos;
                long n = Math.min(size - from, len);
                out.add(s.asSlice(from, n));
                at += n;
                len -= n;
            }
            pos += size;
        }
        return out;
    }
}
