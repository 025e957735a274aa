package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** A memfd mapped twice with MAP_SHARED: both mappings see the same bytes, as QEMU and a back-end do. */
class MemFdsAndMappingsTest {
    @Test
    void twoSharedMappingsOfOneMemfdSeeEachOthersWrites() throws Exception {
        int fd = MemFds.create("guest-ram", 1 << 16);
        try (SharedMappings.Mapping a = SharedMappings.mapShared(fd, 1 << 16);
                SharedMappings.Mapping b = SharedMappings.mapShared(fd, 1 << 16)) {
            assertEquals(1 << 16, a.segment().byteSize());
            assertEquals(0, b.segment().get(ValueLayout.JAVA_LONG, 4096), "a new memfd is zero");
            a.segment().set(ValueLayout.JAVA_LONG, 4096, 0x1122334455667788L);
            assertEquals(0x1122334455667788L, b.segment().get(ValueLayout.JAVA_LONG, 4096));
            assertNotEquals(a.segment().address(), b.segment().address());
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void aClosedMappingRefusesAccessInsteadOfTouchingFreedMemory() throws Exception {
        int fd = MemFds.create("guest-ram", 4096);
        MemorySegment slice;
        SharedMappings.Mapping m = SharedMappings.mapShared(fd, 4096);
        try {
            slice = m.segment().asSlice(128, 16);
            slice.set(ValueLayout.JAVA_BYTE, 0, (byte) 7);
        } finally {
            m.close();
            m.close(); // a second close does nothing
            Fds.close(fd);
        }
        assertThrows(IllegalStateException.class, () -> slice.get(ValueLayout.JAVA_BYTE, 0));
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyCall() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> MemFds.create("", 10));
        assertThrows(IllegalArgumentException.class, () -> MemFds.create("x", -1));
        assertThrows(IllegalArgumentException.class, () -> SharedMappings.mapShared(0, 0));
        assertEquals(Errno.EBADF, assertThrows(ErrnoException.class, () -> SharedMappings.mapShared(-1, 4096)).errno());
    }
}
