package dev.skiff.vhost;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One entry of a descriptor table ("The Virtqueue Descriptor Table"): {@code le64 addr; le32 len;
 * le16 flags; le16 next}, 16 bytes.
 */
record Descriptor(long address, long length, int flags, int next) {
    static final int SIZE = 16;
    static final int F_NEXT = 1, F_WRITE = 2, F_INDIRECT = 4;

    static final ValueLayout.OfLong LE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Entry {@code index} of {@code table}, which the caller has bounds-checked. */
    static Descriptor read(MemorySegment table, int index) {
        long at = (long) index * SIZE;
        return new Descriptor(table.get(LE64, at), Integer.toUnsignedLong(table.get(LE32, at + 8)),
                table.get(LE16, at + 12) & 0xffff, table.get(LE16, at + 14) & 0xffff);
    }

    boolean has(int flag) {
        return (flags & flag) != 0;
    }
}
