package dev.skiff.p9.wire;

import java.nio.charset.StandardCharsets;

/**
 * Little-endian input over one frame. Every read is bounds-checked against the frame, so a
 * length field can never reach past it: overruns become {@link MalformedMessageException}.
 */
final class WireReader {
    private final byte[] buf;
    private int pos;
    private final int limit;

    WireReader(byte[] buf, int offset, int limit) {
        this.buf = buf;
        this.pos = offset;
        this.limit = limit;
    }

    private void need(int n, String what) throws MalformedMessageException {
        if (n < 0 || limit - pos < n) {
            throw new MalformedMessageException(what + " needs " + Integer.toUnsignedString(n)
                    + " bytes, " + (limit - pos) + " left in frame");
        }
    }

    int u8() throws MalformedMessageException {
        need(1, "u8");
        return buf[pos++] & 0xff;
    }

    int u16() throws MalformedMessageException {
        need(2, "u16");
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    int u32() throws MalformedMessageException {
        need(4, "u32");
        int v = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16
                | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    long u64() throws MalformedMessageException {
        long lo = u32() & 0xffffffffL;
        long hi = u32() & 0xffffffffL;
        return lo | hi << 32;
    }

    String str() throws MalformedMessageException {
        int n = u16();
        need(n, "string");
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    Qid qid() throws MalformedMessageException {
        return new Qid(u8(), u32(), u64());
    }

    /** count[4] then that many bytes; the count must fit in what is left of the frame. */
    byte[] counted() throws MalformedMessageException {
        int n = u32();
        need(n, "data of count " + Integer.toUnsignedString(n));
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    boolean atEnd() {
        return pos == limit;
    }

    void end() throws MalformedMessageException {
        if (pos != limit) {
            throw new MalformedMessageException((limit - pos) + " trailing bytes after message");
        }
    }
}
