package dev.skiff.erofs.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class SuperBlockTest {
    @Test
    void fieldsSitWhereErofsFsHPutsThem() {
        byte[] uuid = new byte[16];
        uuid[0] = 0x11;
        uuid[15] = 0x22;
        ByteBuffer b = ByteBuffer.allocate(Erofs.SUPER_SIZE);
        new SuperBlock(36, 7, 1_700_000_000L, 5, 99, uuid, Erofs.FEATURE_INCOMPAT_CHUNKED_FILE).encode(b);
        assertEquals(Erofs.SUPER_SIZE, b.position());
        b.order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0xE0F5E1E2, b.getInt(0));
        assertEquals(12, b.get(12));
        assertEquals(36, b.getShort(14));
        assertEquals(7, b.getLong(16));
        assertEquals(1_700_000_000L, b.getLong(24));
        assertEquals(5, b.getInt(32));
        assertEquals(99, b.getInt(36));
        assertEquals(0, b.getInt(40));
        assertEquals(0x11, b.get(48));
        assertEquals(0x22, b.get(63));
        assertEquals(4, b.getInt(80));
    }

    @Test
    void rootNidMustFitSixteenBits() {
        assertThrows(IllegalArgumentException.class, () -> new SuperBlock(70_000, 1, 0, 0, 1, new byte[16], 0));
        assertThrows(IllegalArgumentException.class, () -> new SuperBlock(36, 1, 0, 0, 1L << 32, new byte[16], 0));
    }
}
