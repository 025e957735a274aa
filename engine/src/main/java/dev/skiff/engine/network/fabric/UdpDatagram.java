package dev.skiff.engine.network.fabric;

import java.nio.ByteBuffer;

/** A UDP datagram over IPv4 (RFC 768). */
public record UdpDatagram(int sourcePort, int destinationPort, ByteBuffer payload) {
    static final int HEADER = 8;

    /** Parses the payload of an unfragmented IPv4 packet; a checksum of 0 means "none", any other must verify. */
    public static UdpDatagram parse(Ipv4Packet ip) throws MalformedFrameException {
        if (ip.protocol() != Ipv4Packet.PROTOCOL_UDP || ip.isFragment()) {
            throw new MalformedFrameException("not a whole UDP datagram");
        }
        ByteBuffer b = ip.payload().slice();
        if (b.limit() < HEADER) {
            throw new MalformedFrameException("UDP datagram of " + b.limit() + " bytes, under 8");
        }
        int length = b.getShort(4) & 0xFFFF;
        if (length < HEADER || length > b.limit()) {
            throw new MalformedFrameException("UDP length " + length + " in " + b.limit() + " bytes");
        }
        if (b.getShort(6) != 0) {
            long sum = Checksum.pseudoHeader(ip.source(), ip.destination(), Ipv4Packet.PROTOCOL_UDP, length);
            if (Checksum.finish(Checksum.add(sum, b, 0, length)) != 0) {
                throw new MalformedFrameException("UDP checksum");
            }
        }
        return new UdpDatagram(b.getShort(0) & 0xFFFF, b.getShort(2) & 0xFFFF, b.slice(HEADER, length - HEADER));
    }

    /** The UDP header and payload, checksummed over the IPv4 pseudo-header. */
    public static byte[] encode(Ip4Address source, int sourcePort, Ip4Address destination, int destinationPort, byte[] payload) {
        int length = HEADER + payload.length;
        if (length > 0xFFFF - Ipv4Packet.HEADER) {
            throw new IllegalArgumentException("UDP datagram of " + length + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putShort(0, (short) sourcePort).putShort(2, (short) destinationPort).putShort(4, (short) length);
        b.put(HEADER, payload);
        int sum = Checksum.finish(Checksum.add(Checksum.pseudoHeader(source, destination, Ipv4Packet.PROTOCOL_UDP, length), b, 0, length));
        b.putShort(6, (short) (sum == 0 ? 0xFFFF : sum)); // 0 would mean "no checksum"
        return b.array();
    }
}
