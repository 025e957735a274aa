package dev.skiff.engine.network.fabric;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Frames as a guest would send them, built with the codecs under test (their own tests check them against fixed bytes). */
final class TestFrames {
    static final MacAddress GATEWAY_MAC = MacAddress.parse("02:42:ac:12:00:01");
    static final SegmentConfig CONFIG = SegmentConfig.of("net1", "172.18.0.0/16", "172.18.0.1", GATEWAY_MAC.toString());
    static final Ip4Address GATEWAY = CONFIG.gateway(), DNS = CONFIG.dns();
    static final MacAddress DNS_MAC = CONFIG.dnsMac();

    private TestFrames() {}

    static Ip4Address ip(String text) {
        return Ip4Address.parse(text);
    }

    static MacAddress mac(String text) {
        return MacAddress.parse(text);
    }

    static byte[] arp(int op, MacAddress src, Ip4Address srcIp, MacAddress dst, MacAddress targetMac, Ip4Address targetIp) {
        return EthernetFrame.encode(dst, src, EthernetFrame.TYPE_ARP, new ArpPacket(op, src, srcIp, targetMac, targetIp).encode());
    }

    static byte[] arpRequest(MacAddress src, Ip4Address srcIp, Ip4Address targetIp) {
        return arp(ArpPacket.REQUEST, src, srcIp, MacAddress.BROADCAST, new MacAddress(0), targetIp);
    }

    static byte[] ipv4(MacAddress src, MacAddress dst, Ip4Address srcIp, Ip4Address dstIp, int protocol, byte[] payload) {
        return EthernetFrame.encode(dst, src, EthernetFrame.TYPE_IPV4, Ipv4Packet.encode(srcIp, dstIp, protocol, 64, 7, payload));
    }

    static byte[] udp(MacAddress src, MacAddress dst, Ip4Address srcIp, Ip4Address dstIp, int sport, int dport, byte[] payload) {
        return ipv4(src, dst, srcIp, dstIp, Ipv4Packet.PROTOCOL_UDP, UdpDatagram.encode(srcIp, sport, dstIp, dport, payload));
    }

    /** A standard query with RD set and one question, uncompressed. */
    static byte[] dnsQuery(int id, String name, int qtype) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) (id >>> 8), (byte) id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(new byte[] {0, (byte) (qtype >>> 8), (byte) qtype, 0, 1});
        return out.toByteArray();
    }

    /** The DNS message inside a reply frame from the DNS endpoint. */
    static ByteBuffer dnsPayload(byte[] frame) throws MalformedFrameException {
        EthernetFrame eth = EthernetFrame.parse(ByteBuffer.wrap(frame));
        return UdpDatagram.parse(Ipv4Packet.parse(eth.payload())).payload();
    }

    static int rcode(ByteBuffer dns) {
        return dns.get(3) & 0x0F;
    }

    static int answerCount(ByteBuffer dns) {
        return dns.getShort(6) & 0xFFFF;
    }
}
