package dev.skiff.image.initrd;

import java.io.IOException;

/**
 * LZ4's block format, both ways, for the initrd ({@link Lz4LegacyOutputStream}). The compressor
 * is the format's plain greedy one: a hash of each 4-byte sequence finds an earlier occurrence
 * within 64 KiB, matches are extended forward, the rest goes out as literals; it keeps the
 * format's end rules (the last 5 bytes are literals, no match starts in the last 12). Written
 * here rather than taken from a library because the ones at hand reach for sun.misc.Unsafe, which
 * JDK 25 warns about on every run that builds an image.
 */
final class Lz4Block {
    private Lz4Block() {}

    private static final int MIN_MATCH = 4, LAST_LITERALS = 5, MF_LIMIT = 12, MAX_OFFSET = 65535;
    private static final int HASH_BITS = 16;

    /** The most {@link #compress} can write for {@code n} input bytes (incompressible input grows a little). */
    static int maxCompressedLength(int n) {
        return n + n / 255 + 16;
    }

    /** Compresses {@code src[0, n)} into {@code dst}; returns the block's length. */
    static int compress(byte[] src, int n, byte[] dst) {
        int[] table = new int[1 << HASH_BITS];
        java.util.Arrays.fill(table, -1);
        int ip = 0, anchor = 0, op = 0;
        int matchLimit = n - LAST_LITERALS;
        while (ip < n - MF_LIMIT) {
            int h = hash(src, ip);
            int ref = table[h];
            table[h] = ip;
            if (ref < 0 || ip - ref > MAX_OFFSET || !same4(src, ref, ip)) {
                ip++;
                continue;
            }
            int len = MIN_MATCH;
            while (ip + len < matchLimit && src[ref + len] == src[ip + len]) {
                len++;
            }
            op = sequence(src, anchor, ip - anchor, ip - ref, len, dst, op);
            ip += len;
            anchor = ip;
        }
        return lastLiterals(src, anchor, n - anchor, dst, op);
    }

    private static int sequence(byte[] src, int literalsAt, int literals, int offset, int matchLen, byte[] dst, int op) {
        int ml = matchLen - MIN_MATCH;
        int token = op++;
        dst[token] = (byte) ((Math.min(literals, 15) << 4) | Math.min(ml, 15));
        op = length(literals, dst, op);
        System.arraycopy(src, literalsAt, dst, op, literals);
        op += literals;
        dst[op++] = (byte) offset;
        dst[op++] = (byte) (offset >>> 8);
        return length(ml, dst, op);
    }

    private static int lastLiterals(byte[] src, int at, int literals, byte[] dst, int op) {
        dst[op++] = (byte) (Math.min(literals, 15) << 4);
        op = length(literals, dst, op);
        System.arraycopy(src, at, dst, op, literals);
        return op + literals;
    }

    /** The bytes that follow a token's nibble of 15: 255s, then the rest. */
    private static int length(int len, byte[] dst, int op) {
        if (len < 15) {
            return op;
        }
        len -= 15;
        while (len >= 255) {
            dst[op++] = (byte) 255;
            len -= 255;
        }
        dst[op++] = (byte) len;
        return op;
    }

    private static int hash(byte[] b, int i) {
        return (int32(b, i) * -1640531535) >>> (32 - HASH_BITS);
    }

    private static boolean same4(byte[] b, int x, int y) {
        return int32(b, x) == int32(b, y);
    }

    private static int int32(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    /**
     * Decompresses a block into {@code dst}; returns how many bytes it made. Every length and
     * offset is checked against both buffers: a block that would read or write outside them is refused.
     */
    static int decompress(byte[] src, int n, byte[] dst) throws IOException {
        int ip = 0, op = 0;
        while (ip < n) {
            int token = src[ip++] & 0xff;
            int literals = token >>> 4;
            if (literals == 15) {
                long read = extended(src, ip, n);
                literals += (int) read;
                ip = (int) (read >>> 32);
            }
            if (literals > n - ip || literals > dst.length - op) {
                throw corrupt();
            }
            System.arraycopy(src, ip, dst, op, literals);
            ip += literals;
            op += literals;
            if (ip == n) {
                return op; // the last sequence has literals only
            }
            if (n - ip < 2) {
                throw corrupt();
            }
            int offset = (src[ip] & 0xff) | (src[ip + 1] & 0xff) << 8;
            ip += 2;
            int len = token & 15;
            if (len == 15) {
                long read = extended(src, ip, n);
                len += (int) read;
                ip = (int) (read >>> 32);
            }
            len += MIN_MATCH;
            if (offset == 0 || offset > op || len > dst.length - op) {
                throw corrupt();
            }
            for (int i = 0; i < len; i++) { // byte by byte: a match may overlap what it writes
                dst[op + i] = dst[op - offset + i];
            }
            op += len;
        }
        return op;
    }

    /**
     * The bytes that extend a nibble of 15 ({@link #length} written), read from {@code src[ip, n)}:
     * their sum in the low 32 bits, the index after them in the high. A sum past 2^30 is corrupt
     * (no block holds that much), which also keeps it from overflowing.
     */
    private static long extended(byte[] src, int ip, int n) throws IOException {
        int sum = 0, b;
        do {
            if (ip >= n || sum > 1 << 30) {
                throw corrupt();
            }
            b = src[ip++] & 0xff;
            sum += b;
        } while (b == 255);
        return (long) ip << 32 | sum;
    }

    private static IOException corrupt() {
        return new IOException("a corrupt LZ4 block");
    }
}
