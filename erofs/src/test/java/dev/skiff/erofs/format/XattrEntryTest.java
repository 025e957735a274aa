package dev.skiff.erofs.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class XattrEntryTest {
    @Test
    void namesMapToErofsIndexes() {
        assertEquals(XattrEntry.INDEX_USER, XattrEntry.of("user.foo", new byte[0]).index());
        assertArrayEquals("foo".getBytes(), XattrEntry.of("user.foo", new byte[0]).suffix());
        assertEquals(XattrEntry.INDEX_SECURITY, XattrEntry.of("security.capability", new byte[0]).index());
        assertEquals(XattrEntry.INDEX_TRUSTED, XattrEntry.of("trusted.overlay.opaque", new byte[0]).index());
        assertEquals(XattrEntry.INDEX_POSIX_ACL_ACCESS, XattrEntry.of("system.posix_acl_access", new byte[0]).index());
        assertEquals(0, XattrEntry.of("system.posix_acl_default", new byte[0]).suffix().length);
        assertNull(XattrEntry.of("system.nfs4_acl", new byte[0]));
        assertNull(XattrEntry.of("user.", new byte[0]));
    }

    @Test
    void entriesArePaddedToFourBytes() {
        XattrEntry e = XattrEntry.of("user.ab", new byte[] {1, 2, 3});
        assertEquals(12, e.encodedSize()); // 4 + 2 + 3 = 9 -> 12
        ByteBuffer b = ByteBuffer.allocate(12);
        e.encode(b);
        assertArrayEquals(new byte[] {2, 1, 3, 0, 'a', 'b', 1, 2, 3, 0, 0, 0}, b.array());
    }

    @Test
    void limits() {
        assertThrows(IllegalArgumentException.class, () -> XattrEntry.of("user.x", new byte[70_000]));
        assertThrows(IllegalArgumentException.class, () -> XattrEntry.of("user." + "n".repeat(256), new byte[0]));
    }
}
