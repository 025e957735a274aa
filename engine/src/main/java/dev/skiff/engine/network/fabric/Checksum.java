package dev.skiff.engine.network.fabric;

import java.nio.ByteBuffer;

/** The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit words. */
final class Checksum {
    private Checksum() {}

    /** Adds bytes [from, from + length) of b to a running sum (not yet folded). */
    static long add(long sum, ByteBuffer b, int from, int length) {
        int i = from;
        int end = from + length;
        for (; i + 1 < end; i += 2) {
            sum += b.getShort(i) & 0xFFFF;
        }
        if (i < end) {
            sum += (b.get(i) & 0xFF) << 8; // odd length: pad with a zero byte
        }
        return sum;
    }

    /** Folds the carries and complements: the value to store, or 0 when checking a block that holds its own checksum. */
    static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /** The pseudo-header of UDP and TCP over IPv4 (RFC 768). */
    static long pseudoHeader(Ip4Address source, Ip4Address destination, int protocol, int length) {
        return (source.bits() >>> 16) + (source.bits() & 0xFFFF) + (destination.bits() >>> 16) + (destination.bits() & 0xFFFF)
                + protocol + length;
    }
}
