package dev.skiff.erofs.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** {@link CompactInode} and {@link ExtendedInode} against the offsets of {@code erofs_fs.h}. */
class InodeRecordTest {
    @Test
    void compactInode() {
        ByteBuffer b = ByteBuffer.allocate(32);
        new CompactInode(DataLayout.FLAT_INLINE, 3, 0100644, 2, 5000, 77, 9, 1000, 1001).encode(b);
        b.order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(32, b.position());
        assertEquals(2 << 1, b.getShort(0));
        assertEquals(3, b.getShort(2));
        assertEquals((short) 0100644, b.getShort(4));
        assertEquals(2, b.getShort(6));
        assertEquals(5000, b.getInt(8));
        assertEquals(77, b.getInt(16));
        assertEquals(9, b.getInt(20));
        assertEquals(1000, b.getShort(24));
        assertEquals(1001, b.getShort(26));
    }

    @Test
    void extendedInode() {
        ByteBuffer b = ByteBuffer.allocate(64);
        new ExtendedInode(DataLayout.CHUNK_BASED, 0, 0104755, 5L << 30, 0, 10, 70_000, 80_000, -5, 123, 3).encode(b);
        b.order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(64, b.position());
        assertEquals(1 | (4 << 1), b.getShort(0));
        assertEquals(5L << 30, b.getLong(8));
        assertEquals(70_000, b.getInt(24));
        assertEquals(80_000, b.getInt(28));
        assertEquals(-5, b.getLong(32));
        assertEquals(123, b.getInt(40));
        assertEquals(3, b.getInt(44));
    }

    @Test
    void deviceNumbersUseNewEncodeDev() {
        assertEquals(0x0103, InodeRecord.encodeDevice(1, 3));
        // minor 70000 = 0x11170: low byte 0x70, high bits shifted by 12
        assertEquals(0x70 | (259 << 8) | (0x11100 << 12), InodeRecord.encodeDevice(259, 70_000));
        assertEquals(0, InodeRecord.encodeDevice(0, 0));
    }

    @Test
    void compactOnlyWhenEverythingFits() {
        assertTrue(InodeRecord.fitsCompact(10, 0, 0, 1, 100, 0, 100, 0));
        assertFalse(InodeRecord.fitsCompact(1L << 32, 0, 0, 1, 100, 0, 100, 0));
        assertFalse(InodeRecord.fitsCompact(10, 65536, 0, 1, 100, 0, 100, 0));
        assertFalse(InodeRecord.fitsCompact(10, 0, 0, 1, 101, 0, 100, 0));
        assertFalse(InodeRecord.fitsCompact(10, 0, 0, 1, 100, 1, 100, 0));
        assertFalse(InodeRecord.fitsCompact(10, 0, 0, 70_000, 100, 0, 100, 0));
    }
}
