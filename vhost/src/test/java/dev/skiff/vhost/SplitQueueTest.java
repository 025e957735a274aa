package dev.skiff.vhost;

import static dev.skiff.vhost.Descriptor.F_INDIRECT;
import static dev.skiff.vhost.Descriptor.F_NEXT;
import static dev.skiff.vhost.Descriptor.F_WRITE;
import static dev.skiff.vhost.GuestRam.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Rings built by hand in a memfd, read through the back-end's own mapping of it. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a missed loop check would spin forever
class SplitQueueTest {
    private static final long ALL = VhostUser.RING_FEATURES;
    private GuestRam guest;
    private GuestMemory memory;

    @BeforeEach
    void setUp() throws Exception {
        guest = new GuestRam();
        memory = guest.mapForBackend();
    }

    @AfterEach
    void tearDown() {
        memory.close();
        assertTrue(guest.canaryIntact(), "nothing outside the region was written");
        guest.close();
    }

    private SplitQueue open(long features) throws Exception {
        return SplitQueue.open(memory, QUEUE_SIZE, guest.addr(0), 0, features);
    }

    private SplitQueue open() throws Exception {
        return open(ALL);
    }

    private String text(MemorySegment s) {
        return new String(s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aChainSplitsIntoReadableThenWritableSegmentsOfExactlyItsBytes() throws Exception {
        guest.write(BUFFERS, "hello");
        guest.desc(3, GPA + BUFFERS, 5, F_NEXT, 5);
        guest.desc(5, GPA + BUFFERS + 0x100, 7, F_NEXT | F_WRITE, 1);
        guest.desc(1, GPA + BUFFERS + 0x200, 9, F_WRITE, 0);
        guest.makeAvailable(3);
        SplitQueue q = open();
        assertEquals(1, q.pending());
        DescriptorChain c = q.pop();
        assertEquals(3, c.head());
        assertEquals(1, c.readable().size());
        assertEquals("hello", text(c.readable().get(0)));
        assertEquals(2, c.writable().size());
        assertEquals(16, c.writableBytes());
        c.writable().get(0).fill((byte) 'x');
        assertEquals("xxxxxxx", guest.read(BUFFERS + 0x100, 7), "the segment is the guest's memory itself");
        assertThrows(IndexOutOfBoundsException.class, () -> c.readable().get(0).get(java.lang.foreign.ValueLayout.JAVA_BYTE, 5),
                "bounded to the descriptor");
        assertNull(q.pop(), "nothing more available");
        assertEquals(1, q.lastAvail());
    }

    @Test
    void pushPublishesTheUsedElementAndIdx() throws Exception {
        guest.desc(0, GPA + BUFFERS, 4, F_WRITE, 0);
        guest.makeAvailable(0);
        SplitQueue q = open(0);
        q.pop();
        assertEquals(0, q.push(0, 3));
        assertEquals(1, guest.usedIdx());
        assertArrayEquals(new long[] {0, 3}, guest.used(0));
        assertTrue(q.needsNotification(0), "without EVENT_IDX and no NO_INTERRUPT flag");
        guest.ram.set(Descriptor.LE16, AVAIL, (short) SplitQueue.AVAIL_F_NO_INTERRUPT);
        assertFalse(q.needsNotification(0));
    }

    @Test
    void usedIdxIsReadFromTheRingAndLastAvailFromTheBase() throws Exception {
        guest.ram.set(Descriptor.LE16, USED + 2, (short) 41);
        guest.setAvailIdx(42);
        SplitQueue q = SplitQueue.open(memory, QUEUE_SIZE, guest.addr(0), 41, ALL);
        assertEquals(41, q.usedIdx());
        assertEquals(1, q.pending());
        assertEquals(41, q.push(0, 0));
        assertEquals(42, guest.usedIdx());
    }

    @Test
    void eventIdxNotifiesOnlyWhenUsedIdxCrossesUsedEventAndArmsAvailEvent() throws Exception {
        for (int i = 0; i < 3; i++) {
            guest.desc(i, GPA + BUFFERS, 4, F_WRITE, 0);
            guest.makeAvailable(i);
        }
        SplitQueue q = open();
        guest.setUsedEvent(1); // the driver wants an interrupt once entry 1 is used
        q.pop();
        assertFalse(q.needsNotification(q.push(0, 0)), "used.idx 1 has not passed used_event 1");
        q.pop();
        assertTrue(q.needsNotification(q.push(1, 0)), "used.idx 2 passed it");
        q.pop();
        q.armKick();
        assertEquals(3, guest.availEvent());
    }

    @Test
    void indirectTableIsWalkedOneLevel() throws Exception {
        long table = BUFFERS + 0x1000;
        guest.desc(table, 0, GPA + BUFFERS, 2, F_NEXT, 1);
        guest.desc(table, 1, GPA + BUFFERS + 0x100, 6, F_WRITE, 0);
        guest.desc(0, GPA + table, 32, F_INDIRECT, 0);
        guest.makeAvailable(0);
        DescriptorChain c = open().pop();
        assertEquals(0, c.head());
        assertEquals(2, c.readableBytes());
        assertEquals(6, c.writableBytes());
    }

    /** Each hostile chain is refused with a VirtqueueException whose text names the rule. */
    private void refused(String expected, long features) throws Exception {
        SplitQueue q = open(features);
        VirtqueueException e = assertThrows(VirtqueueException.class, q::pop);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private void refused(String expected) throws Exception {
        refused(expected, ALL);
    }

    @Test
    void aDescriptorOutsideEveryRegionIsRefused() throws Exception {
        guest.desc(0, GPA + REGION_SIZE + 16, 4, 0, 0); // in the canary, past the region
        guest.makeAvailable(0);
        refused("not inside one memory region");
    }

    @Test
    void aLengthRunningPastTheRegionEndIsRefused() throws Exception {
        guest.desc(0, GPA + REGION_SIZE - 8, 16, F_WRITE, 0);
        guest.makeAvailable(0);
        refused("not inside one memory region");
    }

    @Test
    void anAddressWrappingAround64BitsIsRefused() throws Exception {
        guest.desc(0, -8L, 16, 0, 0);
        guest.makeAvailable(0);
        refused("not inside one memory region");
    }

    @Test
    void aLoopingChainIsRefused() throws Exception {
        guest.desc(0, GPA + BUFFERS, 4, F_NEXT, 1);
        guest.desc(1, GPA + BUFFERS, 4, F_NEXT, 0);
        guest.makeAvailable(0);
        refused("a loop");
    }

    @Test
    void aNextIndexBeyondTheQueueIsRefused() throws Exception {
        guest.desc(0, GPA + BUFFERS, 4, F_NEXT, QUEUE_SIZE);
        guest.makeAvailable(0);
        refused("next index 8");
    }

    @Test
    void aHeadIndexBeyondTheQueueIsRefused() throws Exception {
        guest.makeAvailable(QUEUE_SIZE + 3);
        refused("head descriptor 11");
    }

    @Test
    void anAvailIdxTooFarAheadIsRefused() throws Exception {
        guest.setAvailIdx(QUEUE_SIZE + 1);
        SplitQueue q = open();
        assertThrows(VirtqueueException.class, q::pending);
    }

    @Test
    void readableAfterWritableIsRefused() throws Exception {
        guest.desc(0, GPA + BUFFERS, 4, F_WRITE | F_NEXT, 1);
        guest.desc(1, GPA + BUFFERS, 4, 0, 0);
        guest.makeAvailable(0);
        refused("readable descriptor after a device-writable");
    }

    @Test
    void aChainOfMoreThan4GiBIsRefused() throws Exception {
        // 4097 entries of the whole 1 MiB region in one indirect table: 4097 MiB, more than a le32 len
        long table = 0x20000;
        int entries = 4097;
        for (int i = 0; i < entries; i++) {
            guest.desc(table, i, GPA, (int) REGION_SIZE, i + 1 < entries ? F_NEXT : 0, i + 1);
        }
        guest.desc(0, GPA + table, 16 * entries, F_INDIRECT, 0);
        guest.makeAvailable(0);
        refused("holds more than 4294967295 bytes");
    }

    @Test
    void anIndirectTableOutOfBoundsIsRefused() throws Exception {
        guest.desc(0, GPA + REGION_SIZE - 16, 32, F_INDIRECT, 0);
        guest.makeAvailable(0);
        refused("indirect table of chain 0");
    }

    @Test
    void anIndirectTableWithABadLengthIsRefused() throws Exception {
        guest.desc(0, GPA + BUFFERS, 24, F_INDIRECT, 0);
        guest.makeAvailable(0);
        refused("a non-empty multiple of 16");
    }

    @Test
    void anEmptyIndirectTableIsRefused() throws Exception {
        guest.desc(0, GPA + BUFFERS, 0, F_INDIRECT, 0);
        guest.makeAvailable(0);
        refused("a non-empty multiple of 16");
    }

    @Test
    void aNestedIndirectIsRefused() throws Exception {
        long table = BUFFERS + 0x1000;
        guest.desc(table, 0, GPA + table, 16, F_INDIRECT, 0);
        guest.desc(0, GPA + table, 16, F_INDIRECT, 0);
        guest.makeAvailable(0);
        refused("inside the indirect table");
    }

    @Test
    void aLoopInsideAnIndirectTableIsRefused() throws Exception {
        long table = BUFFERS + 0x1000;
        guest.desc(table, 0, GPA + BUFFERS, 4, F_NEXT, 1);
        guest.desc(table, 1, GPA + BUFFERS, 4, F_NEXT, 0);
        guest.desc(0, GPA + table, 32, F_INDIRECT, 0);
        guest.makeAvailable(0);
        refused("a loop");
    }

    @Test
    void aNextBeyondAnIndirectTableIsRefused() throws Exception {
        long table = BUFFERS + 0x1000;
        guest.desc(table, 0, GPA + BUFFERS, 4, F_NEXT, 2);
        guest.desc(0, GPA + table, 32, F_INDIRECT, 0);
        guest.makeAvailable(0);
        refused("next index 2");
    }

    @Test
    void indirectWhenNotNegotiatedOrNotAloneIsRefused() throws Exception {
        guest.desc(0, GPA + BUFFERS, 16, F_INDIRECT, 0);
        guest.makeAvailable(0);
        refused("not negotiated", ALL & ~VhostUser.F_INDIRECT_DESC);
        guest.desc(0, GPA + BUFFERS, 4, F_NEXT, 1);
        guest.desc(1, GPA + BUFFERS, 16, F_INDIRECT, 0);
        refused("not alone at the head");
    }

    @Test
    void ringsOutsideMemoryOrMisalignedOrOfABadSizeAreRefused() {
        assertThrows(VirtqueueException.class, () -> SplitQueue.open(memory, QUEUE_SIZE,
                new FrontendRequest.SetVringAddr(0, 0, UVA + REGION_SIZE - 16, UVA + USED, UVA + AVAIL, 0), 0, ALL));
        assertThrows(VirtqueueException.class, () -> SplitQueue.open(memory, QUEUE_SIZE,
                new FrontendRequest.SetVringAddr(0, 0, GPA + DESC, GPA + USED, GPA + AVAIL, 0), 0, ALL),
                "guest-physical addresses are not front-end addresses");
        assertThrows(VirtqueueException.class, () -> SplitQueue.open(memory, QUEUE_SIZE,
                new FrontendRequest.SetVringAddr(0, 0, UVA + DESC + 8, UVA + USED, UVA + AVAIL, 0), 0, ALL));
        assertThrows(VirtqueueException.class, () -> SplitQueue.open(memory, 12, guest.addr(0), 0, ALL));
        assertThrows(VirtqueueException.class, () -> SplitQueue.open(memory, 65536, guest.addr(0), 0, ALL));
    }
}
