package dev.skiff.ttrpc.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrameHeaderTest {
    @Test
    void encodesBigEndianInTenBytes() {
        byte[] b = new byte[FrameHeader.SIZE];
        new FrameHeader(0x01020304, 0x0a0b0c0d, 0x3, 0x5).encode(b);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d, 3, 5}, b);
        assertEquals(new FrameHeader(0x01020304, 0x0a0b0c0d, 3, 5), FrameHeader.decode(b));
    }

    @Test
    void unsignedFieldsSurviveTheRoundTrip() {
        byte[] b = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff};
        FrameHeader h = FrameHeader.decode(b);
        assertEquals(0xFFFF_FFFFL, h.unsignedLength());
        assertEquals(0xff, h.type());
        assertEquals(0xff, h.flags());
        assertFalse(h.withinCap());
        assertNull(h.messageType());
    }

    @Test
    void capIsFourMebibytes() {
        assertEquals(4 * 1024 * 1024, FrameHeader.MAX_DATA_LENGTH);
        assertTrue(new FrameHeader(FrameHeader.MAX_DATA_LENGTH, 1, 1, 0).withinCap());
        assertFalse(new FrameHeader(FrameHeader.MAX_DATA_LENGTH + 1, 1, 1, 0).withinCap());
    }

    @Test
    void typeAndFlagsAreBytes() {
        assertThrows(IllegalArgumentException.class, () -> new FrameHeader(0, 1, 256, 0));
        assertThrows(IllegalArgumentException.class, () -> new FrameHeader(0, 1, 1, -1));
    }

    @Test
    void messageTypesAndFlagsMatchTheSpec() {
        assertEquals(1, MessageType.REQUEST.code());
        assertEquals(2, MessageType.RESPONSE.code());
        assertEquals(3, MessageType.DATA.code());
        assertEquals(1, Flags.REMOTE_CLOSED);
        assertEquals(2, Flags.REMOTE_OPEN);
        assertEquals(4, Flags.NO_DATA);
    }
}
