package dev.skiff.vhost;

import static dev.skiff.vhost.GuestRam.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Translation through guest-physical and front-end addresses, and the ranges refused. */
class GuestMemoryTest {
    private GuestRam guest;

    @BeforeEach
    void setUp() throws Exception {
        guest = new GuestRam();
    }

    @AfterEach
    void tearDown() {
        guest.close();
    }

    @Test
    void bothAddressSpacesReachTheSameBytes() throws Exception {
        try (GuestMemory memory = guest.mapForBackend()) {
            guest.write(0x500, "shared");
            MemorySegment byGpa = memory.fromGuest(GPA + 0x500, 6);
            MemorySegment byUva = memory.fromFrontend(UVA + 0x500, 6);
            assertEquals(6, byGpa.byteSize());
            assertEquals('s', byGpa.get(ValueLayout.JAVA_BYTE, 0));
            byUva.set(ValueLayout.JAVA_BYTE, 0, (byte) 'S');
            assertEquals("Shared", guest.read(0x500, 6));
            assertEquals(REGION_SIZE, memory.fromGuest(GPA, REGION_SIZE).byteSize(), "the whole region");
            assertEquals(0, memory.fromGuest(GPA + 10, 0).byteSize());
        }
    }

    @Test
    void rangesNotWhollyInsideARegionAreRefused() throws Exception {
        try (GuestMemory memory = guest.mapForBackend()) {
            assertThrows(GuestMemoryException.class, () -> memory.fromGuest(GPA - 1, 2), "starts before");
            assertThrows(GuestMemoryException.class, () -> memory.fromGuest(GPA + REGION_SIZE - 4, 8), "runs past the end");
            assertThrows(GuestMemoryException.class, () -> memory.fromGuest(GPA + REGION_SIZE, 1), "just past");
            assertThrows(GuestMemoryException.class, () -> memory.fromGuest(GPA + 8, -1L), "a 'length' of 2^64-1");
            assertThrows(GuestMemoryException.class, () -> memory.fromGuest(-16, 32), "wraps around");
            assertThrows(GuestMemoryException.class, () -> memory.fromGuest(UVA, 8), "a front-end address is not guest-physical");
            assertThrows(GuestMemoryException.class, () -> memory.fromFrontend(GPA, 8));
        }
    }

    @Test
    void mmapOffsetSelectsTheBytesFurtherInTheFile() throws Exception {
        guest.write(0x3000, "at offset");
        MemoryRegionInfo low = new MemoryRegionInfo(0, 0x2000, 0x10000, 0);
        MemoryRegionInfo high = new MemoryRegionInfo(0x100000000L, 0x1000, 0x20000, 0x3000);
        try (GuestMemory memory = GuestMemory.map(List.of(low, high), new int[] {guest.dup(), guest.dup()})) {
            assertEquals(2, memory.regionCount());
            MemorySegment s = memory.fromGuest(0x100000000L, 9);
            assertEquals("at offset", new String(s.toArray(ValueLayout.JAVA_BYTE)));
            assertEquals(s.address(), memory.fromFrontend(0x20000, 9).address());
            assertThrows(GuestMemoryException.class, () -> memory.fromGuest(0x1ff0, 0x20), "no range spans two regions");
        }
    }

    private static long openFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void aRegionPastTheEndOfItsFileOrOverlappingAnotherIsRefusedAndTheFdsClosed() throws Exception {
        long before = openFds();
        MemoryRegionInfo tooBig = new MemoryRegionInfo(0, FILE_SIZE + 4096, 0, 0);
        VhostUserException e = assertThrows(VhostUserException.class,
                () -> GuestMemory.map(List.of(tooBig), new int[] {guest.dup()}));
        assertTrue(e.getMessage().contains("ends at byte"), e.getMessage());
        MemoryRegionInfo a = new MemoryRegionInfo(0, 0x2000, 0x10000, 0);
        MemoryRegionInfo b = new MemoryRegionInfo(0x1000, 0x2000, 0x40000, 0);
        e = assertThrows(VhostUserException.class, () -> GuestMemory.map(List.of(a, b), new int[] {guest.dup(), guest.dup()}));
        assertTrue(e.getMessage().contains("overlap"), e.getMessage());
        assertEquals(before, openFds(), "no descriptor left behind");
    }

    @Test
    void segmentsOfAClosedTableCannotBeUsed() throws Exception {
        GuestMemory memory = guest.mapForBackend();
        MemorySegment s = memory.fromGuest(GPA, 8);
        memory.close();
        assertThrows(IllegalStateException.class, () -> s.get(ValueLayout.JAVA_LONG, 0));
    }
}
