package dev.skiff.erofs.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DirentTest {
    @Test
    void twelveBytes() {
        ByteBuffer b = ByteBuffer.allocate(12);
        new Dirent(1L << 40, 36, FileType.SYMLINK).encode(b);
        b.order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(12, b.position());
        assertEquals(1L << 40, b.getLong(0));
        assertEquals(36, b.getShort(8));
        assertEquals(7, b.get(10));
        assertEquals(0, b.get(11));
    }
}
