package dev.skiff.engine.network.fabric;

import java.nio.ByteBuffer;

/** ARP for IPv4 over Ethernet (RFC 826), the only kind there is on these networks. */
public record ArpPacket(int operation, MacAddress senderMac, Ip4Address senderIp, MacAddress targetMac, Ip4Address targetIp)
        implements Packet {
    public static final int REQUEST = 1, REPLY = 2;
    static final int LENGTH = 28;

    public static ArpPacket parse(ByteBuffer payload) throws MalformedFrameException {
        ByteBuffer b = payload.slice();
        if (b.limit() < LENGTH) {
            throw new MalformedFrameException("ARP packet of " + b.limit() + " bytes, under 28");
        }
        if (b.getShort(0) != 1 || b.getShort(2) != EthernetFrame.TYPE_IPV4 || b.get(4) != 6 || b.get(5) != 4) {
            throw new MalformedFrameException("ARP for other than IPv4 over Ethernet");
        }
        int op = b.getShort(6) & 0xFFFF;
        if (op != REQUEST && op != REPLY) {
            throw new MalformedFrameException("ARP operation " + op);
        }
        return new ArpPacket(op, MacAddress.read(b, 8), new Ip4Address(b.getInt(14)), MacAddress.read(b, 18), new Ip4Address(b.getInt(24)));
    }

    /** A probe (RFC 5227): a request from a host that has no address yet. */
    public boolean isProbe() {
        return operation == REQUEST && senderIp.equals(Ip4Address.ANY);
    }

    /** The reply from whoever owns targetIp, addressed back to the sender. */
    public ArpPacket replyFrom(MacAddress ownerMac) {
        return new ArpPacket(REPLY, ownerMac, targetIp, senderMac, senderIp);
    }

    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH);
        b.putShort(0, (short) 1).putShort(2, (short) EthernetFrame.TYPE_IPV4).put(4, (byte) 6).put(5, (byte) 4);
        b.putShort(6, (short) operation);
        senderMac.write(b, 8);
        b.putInt(14, senderIp.bits());
        targetMac.write(b, 18);
        b.putInt(24, targetIp.bits());
        return b.array();
    }
}
