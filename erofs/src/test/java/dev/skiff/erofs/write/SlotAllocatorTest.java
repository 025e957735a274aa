package dev.skiff.erofs.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SlotAllocatorTest {
    @Test
    void slotsNeverCrossBlocksAndPackTightly() {
        SlotAllocator a = new SlotAllocator(10);
        assertEquals(10 * 4096, a.allocate(3000));
        assertEquals(11 * 4096, a.allocate(2000)); // does not fit after the first
        assertEquals(10 * 4096 + 3008, a.allocate(1000)); // first fit goes back
        assertEquals(12 * 4096, a.allocate(10_000)); // big slots start a fresh run of blocks
        assertEquals(15 * 4096, a.end());
        Random r = new Random(1);
        SlotAllocator b = new SlotAllocator(0);
        long bytes = 0;
        for (int i = 0; i < 10_000; i++) {
            int size = 32 + r.nextInt(3000);
            long at = b.allocate(size);
            assertEquals(0, at % 32);
            assertTrue(at % 4096 + size <= 4096, "crosses a block at " + at);
            bytes += size;
        }
        assertTrue(b.end() < bytes * 1.10, "waste under 10%: " + b.end() + " for " + bytes);
    }
}
