package dev.skiff.p9.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Little-endian output for one frame; grows as needed. Not thread-safe. */
final class WireWriter {
    private byte[] buf;
    private int pos;

    WireWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
        }
    }

    void u8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
    }

    void u16(int v) {
        ensure(2);
        buf[pos++] = (byte) v;
        buf[pos++] = (byte) (v >>> 8);
    }

    void u32(int v) {
        ensure(4);
        buf[pos++] = (byte) v;
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) (v >>> 16);
        buf[pos++] = (byte) (v >>> 24);
    }

    void u64(long v) {
        u32((int) v);
        u32((int) (v >>> 32));
    }

    void str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xffff) {
            throw new IllegalArgumentException("string of " + b.length + " bytes does not fit s[2]");
        }
        u16(b.length);
        bytes(b, 0, b.length);
    }

    void qid(Qid q) {
        u8(q.type());
        u32(q.version());
        u64(q.path());
    }

    void bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
    }

    int position() {
        return pos;
    }

    void patchU32(int at, int v) {
        buf[at] = (byte) v;
        buf[at + 1] = (byte) (v >>> 8);
        buf[at + 2] = (byte) (v >>> 16);
        buf[at + 3] = (byte) (v >>> 24);
    }

    byte[] array() {
        return buf;
    }
}
