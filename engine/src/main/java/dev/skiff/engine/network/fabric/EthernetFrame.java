package dev.skiff.engine.network.fabric;

import java.nio.ByteBuffer;

/**
 * An Ethernet II frame as QEMU's stream netdev carries it: no preamble, no FCS, no virtio-net
 * header (QEMU net/stream.c). The payload is a read-only view of the received bytes, not a copy,
 * and may end with padding: the layer above knows its own length.
 */
public record EthernetFrame(MacAddress destination, MacAddress source, int etherType, ByteBuffer payload) {
    public static final int HEADER = 14;
    public static final int TYPE_IPV4 = 0x0800, TYPE_ARP = 0x0806, TYPE_IPV6 = 0x86DD;

    /** @param frame the frame's bytes from its position to its limit */
    public static EthernetFrame parse(ByteBuffer frame) throws MalformedFrameException {
        ByteBuffer b = frame.slice().asReadOnlyBuffer();
        if (b.limit() < HEADER) {
            throw new MalformedFrameException("Ethernet frame of " + b.limit() + " bytes, under its 14-byte header");
        }
        int type = b.getShort(12) & 0xFFFF;
        if (type < 0x0600) {
            // 802.3 length field (LLC, e.g. STP from a guest bridge): not Ethernet II
            throw new MalformedFrameException("802.3 length field " + type + " instead of an EtherType");
        }
        return new EthernetFrame(MacAddress.read(b, 0), MacAddress.read(b, 6), type, b.slice(HEADER, b.limit() - HEADER));
    }

    /** The layer-3 packet inside, for the EtherTypes the fabric understands. */
    public Packet packet() throws MalformedFrameException {
        return switch (etherType) {
            case TYPE_ARP -> ArpPacket.parse(payload);
            case TYPE_IPV4 -> Ipv4Packet.parse(payload);
            default -> new Packet.Other(etherType);
        };
    }

    public static byte[] encode(MacAddress destination, MacAddress source, int etherType, byte[] payload) {
        byte[] frame = new byte[HEADER + payload.length];
        ByteBuffer b = ByteBuffer.wrap(frame);
        destination.write(b, 0);
        source.write(b, 6);
        b.putShort(12, (short) etherType);
        b.put(HEADER, payload);
        return frame;
    }
}
