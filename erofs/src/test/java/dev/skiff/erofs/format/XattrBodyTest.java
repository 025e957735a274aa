package dev.skiff.erofs.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class XattrBodyTest {
    @Test
    void sizeAndIcountFollowErofsXattrIbodySize() {
        assertEquals(0, XattrBody.EMPTY.size());
        assertEquals(0, XattrBody.EMPTY.icount());
        XattrBody body = new XattrBody(List.of(XattrEntry.of("user.a", new byte[] {1}),
                XattrEntry.of("security.capability", new byte[20])));
        // 12 header + 8 (4+1+1 -> 8) + 36 (4+10+20 -> 36)
        assertEquals(56, body.size());
        assertEquals((56 - 12) / 4 + 1, body.icount());
        ByteBuffer b = ByteBuffer.allocate(body.size());
        body.encode(b);
        assertEquals(56, b.position());
        assertEquals(0, b.get(4)); // no shared xattrs
        assertEquals(1, b.get(12)); // first entry's name length
    }
}
