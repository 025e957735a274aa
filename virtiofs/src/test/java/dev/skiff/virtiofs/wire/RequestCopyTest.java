package dev.skiff.virtiofs.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decoder believes only the heap copy: what the guest writes to its memory afterwards changes nothing. */
class RequestCopyTest {

    private static MemorySegment lookup(Arena arena, String name) {
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(Fuse.IN_HEADER_SIZE + n.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(Fuse.IN_HEADER_SIZE + n.length).putInt(Fuse.LOOKUP).putLong(7).putLong(1)
                .putInt(0).putInt(0).putInt(1).putInt(0).put(n);
        MemorySegment s = arena.allocate(b.capacity());
        MemorySegment.copy(b.array(), 0, s, ValueLayout.JAVA_BYTE, 0, b.capacity());
        return s;
    }

    @Test
    void theGuestChangingItsMemoryAfterTheCopyHasNoEffect() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment guest = lookup(arena, "good");
            // split like header and argument descriptors
            List<MemorySegment> readable = List.of(guest.asSlice(0, 40), guest.asSlice(40));
            InHeader h = RequestCopy.header(readable);
            guest.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 1 << 30); // a huge len after the header was read
            byte[] copy = RequestCopy.copy(readable, h, 1 << 20);
            guest.fill((byte) '/'); // the name becomes "/////" and the NUL goes away
            FuseRequest r = FuseDecoder.body(h, copy);
            assertEquals(new FuseRequest.Lookup("good"), r);
            assertEquals(7, h.unique());
            assertEquals(45, h.len());
        }
    }

    @Test
    void lenIsCheckedAgainstTheReadableBytesAndTheLimit() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment guest = lookup(arena, "name");
            guest.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 4096);
            InHeader h = RequestCopy.header(List.of(guest));
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class,
                    () -> RequestCopy.copy(List.of(guest), h, 1 << 20)).errno());
            guest.set(ValueLayout.JAVA_INT_UNALIGNED, 0, 45);
            InHeader ok = RequestCopy.header(List.of(guest));
            assertEquals(Errno.EINVAL, assertThrows(ErrnoException.class,
                    () -> RequestCopy.copy(List.of(guest), ok, 44)).errno());
            assertThrows(RequestCopy.NoHeader.class, () -> RequestCopy.header(List.of(guest.asSlice(0, 39))));
        }
    }
}
