package dev.skiff.engine.network.fabric;

import java.nio.ByteBuffer;

/**
 * An IPv4 packet (RFC 791). Parsing accepts options (skipped) and checks the header checksum;
 * encoding writes a 20-byte header without options. The payload stops at the total length, so
 * Ethernet padding is left out.
 */
public record Ipv4Packet(int identification, int fragment, int ttl, int protocol, Ip4Address source, Ip4Address destination,
        ByteBuffer payload) implements Packet {
    public static final int PROTOCOL_ICMP = 1, PROTOCOL_TCP = 6, PROTOCOL_UDP = 17;
    static final int HEADER = 20;
    private static final int MORE_FRAGMENTS = 0x2000, OFFSET_MASK = 0x1FFF;

    public static Ipv4Packet parse(ByteBuffer packet) throws MalformedFrameException {
        ByteBuffer b = packet.slice();
        if (b.limit() < HEADER) {
            throw new MalformedFrameException("IPv4 packet of " + b.limit() + " bytes, under 20");
        }
        int versionIhl = b.get(0) & 0xFF;
        int headerLength = (versionIhl & 0x0F) * 4;
        int total = b.getShort(2) & 0xFFFF;
        if (versionIhl >>> 4 != 4) {
            throw new MalformedFrameException("IP version " + (versionIhl >>> 4) + " in an IPv4 frame");
        }
        if (headerLength < HEADER || total < headerLength || total > b.limit()) {
            throw new MalformedFrameException("IPv4 header length " + headerLength + ", total " + total + ", in " + b.limit() + " bytes");
        }
        if (Checksum.finish(Checksum.add(0, b, 0, headerLength)) != 0) {
            throw new MalformedFrameException("IPv4 header checksum");
        }
        return new Ipv4Packet(b.getShort(4) & 0xFFFF, b.getShort(6) & 0xFFFF, b.get(8) & 0xFF, b.get(9) & 0xFF,
                new Ip4Address(b.getInt(12)), new Ip4Address(b.getInt(16)), b.slice(headerLength, total - headerLength));
    }

    /** A piece of a larger datagram, whose transport header may be elsewhere. */
    public boolean isFragment() {
        return (fragment & (MORE_FRAGMENTS | OFFSET_MASK)) != 0;
    }

    /** A packet with a 20-byte header, Don't Fragment set, and its checksum. */
    public static byte[] encode(Ip4Address source, Ip4Address destination, int protocol, int ttl, int identification, byte[] payload) {
        int total = HEADER + payload.length;
        if (total > 0xFFFF) {
            throw new IllegalArgumentException("IPv4 packet of " + total + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put(0, (byte) 0x45).putShort(2, (short) total).putShort(4, (short) identification).putShort(6, (short) 0x4000);
        b.put(8, (byte) ttl).put(9, (byte) protocol).putInt(12, source.bits()).putInt(16, destination.bits());
        b.putShort(10, (short) Checksum.finish(Checksum.add(0, b, 0, HEADER)));
        b.put(HEADER, payload);
        return b.array();
    }
}
