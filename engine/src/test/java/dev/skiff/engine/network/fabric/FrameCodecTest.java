package dev.skiff.engine.network.fabric;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void addressesParseAndPrint() {
        assertEquals("02:42:ac:12:00:02", MacAddress.parse("02:42:AC:12:00:02").toString());
        assertEquals(MacAddress.parse("02:42:ac:12:ff:fe"), MacAddress.docker(Ip4Address.parse("172.18.255.254")));
        assertTrue(MacAddress.BROADCAST.isMulticast());
        assertTrue(MacAddress.parse("01:00:5e:00:00:fb").isMulticast());
        assertEquals("172.18.255.254", Ip4Subnet.parse("172.18.0.0/16").lastUsable().toString());
        for (String bad : new String[] {"1.2.3", "1.2.3.256", "1.2.3.-4", "a.b.c.d", "1.2.3.4.5", "01234.1.1.1"}) {
            assertThrows(IllegalArgumentException.class, () -> Ip4Address.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse("02:42:ac:12:00"));
        assertThrows(IllegalArgumentException.class, () -> Ip4Subnet.parse("172.18.0.1/16"));
    }

    /** The IPv4 header from Wikipedia's checksum example: 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7. */
    @Test
    void ipv4HeaderChecksumMatchesAKnownHeader() throws Exception {
        byte[] header = HEX.parseHex("450000730000400040110000c0a80001c0a800c7");
        ByteBuffer b = ByteBuffer.wrap(header);
        assertEquals(0xb861, Checksum.finish(Checksum.add(0, b, 0, 20)));
        b.putShort(10, (short) 0xb861);
        byte[] packet = Arrays.copyOf(header, 0x73);
        Ipv4Packet ip = Ipv4Packet.parse(ByteBuffer.wrap(packet));
        assertEquals(Ip4Address.parse("192.168.0.1"), ip.source());
        assertEquals(Ip4Address.parse("192.168.0.199"), ip.destination());
        assertEquals(17, ip.protocol());
        assertEquals(0x73 - 20, ip.payload().remaining());
    }

    @Test
    void ipv4RoundTripsSkipsOptionsAndPaddingAndRefusesBadHeaders() throws Exception {
        Ip4Address a = Ip4Address.parse("172.18.0.2"), b = Ip4Address.parse("172.18.0.3");
        byte[] packet = Ipv4Packet.encode(a, b, 6, 64, 99, new byte[] {1, 2, 3});
        Ipv4Packet ip = Ipv4Packet.parse(ByteBuffer.wrap(Arrays.copyOf(packet, packet.length + 20))); // Ethernet padding
        assertEquals(a, ip.source());
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), ip.payload());
        // with 4 bytes of options (NOP x4): IHL 6
        ByteBuffer withOptions = ByteBuffer.allocate(27);
        withOptions.put(0, (byte) 0x46).putShort(2, (short) 27).put(8, (byte) 64).put(9, (byte) 17).putInt(12, a.bits()).putInt(16, b.bits());
        withOptions.putInt(20, 0x01010101).put(24, new byte[] {7, 8, 9});
        withOptions.putShort(10, (short) Checksum.finish(Checksum.add(0, withOptions, 0, 24)));
        assertEquals(ByteBuffer.wrap(new byte[] {7, 8, 9}), Ipv4Packet.parse(withOptions).payload());

        byte[] badSum = packet.clone();
        badSum[10] ^= 1;
        assertThrows(MalformedFrameException.class, () -> Ipv4Packet.parse(ByteBuffer.wrap(badSum)));
        assertThrows(MalformedFrameException.class, () -> Ipv4Packet.parse(ByteBuffer.wrap(packet, 0, packet.length - 1)));
        byte[] ihlTooSmall = packet.clone();
        ihlTooSmall[0] = 0x44;
        assertThrows(MalformedFrameException.class, () -> Ipv4Packet.parse(ByteBuffer.wrap(ihlTooSmall)));
        byte[] v6 = packet.clone();
        v6[0] = 0x65;
        assertThrows(MalformedFrameException.class, () -> Ipv4Packet.parse(ByteBuffer.wrap(v6)));
        assertThrows(MalformedFrameException.class, () -> Ipv4Packet.parse(ByteBuffer.allocate(19)));
    }

    @Test
    void udpChecksumIsWrittenCheckedAndZeroMeansNone() throws Exception {
        Ip4Address a = Ip4Address.parse("172.18.0.2"), b = Ip4Address.parse("172.18.255.254");
        byte[] payload = "hello".getBytes();
        byte[] packet = Ipv4Packet.encode(a, b, 17, 64, 1, UdpDatagram.encode(a, 40000, b, 53, payload));
        UdpDatagram udp = UdpDatagram.parse(Ipv4Packet.parse(ByteBuffer.wrap(packet)));
        assertEquals(40000, udp.sourcePort());
        assertEquals(53, udp.destinationPort());
        assertEquals(ByteBuffer.wrap(payload), udp.payload());

        byte[] corrupt = packet.clone();
        corrupt[corrupt.length - 1] ^= 0x20;
        assertThrows(MalformedFrameException.class, () -> UdpDatagram.parse(Ipv4Packet.parse(ByteBuffer.wrap(corrupt))));
        corrupt[26] = 0;
        corrupt[27] = 0; // no checksum: accepted as it is
        assertEquals(ByteBuffer.wrap("hellO".getBytes()), UdpDatagram.parse(Ipv4Packet.parse(ByteBuffer.wrap(corrupt))).payload());

        byte[] longLength = packet.clone();
        longLength[25] = (byte) 200;
        assertThrows(MalformedFrameException.class, () -> UdpDatagram.parse(Ipv4Packet.parse(ByteBuffer.wrap(longLength))));
    }

    @Test
    void arpAndEthernetRoundTrip() throws Exception {
        MacAddress src = MacAddress.parse("02:42:ac:12:00:02");
        byte[] frame = TestFrames.arpRequest(src, Ip4Address.parse("172.18.0.2"), Ip4Address.parse("172.18.255.254"));
        assertEquals(42, frame.length);
        EthernetFrame eth = EthernetFrame.parse(ByteBuffer.wrap(frame));
        assertEquals(MacAddress.BROADCAST, eth.destination());
        assertEquals(src, eth.source());
        ArpPacket arp = assertInstanceOf(ArpPacket.class, eth.packet());
        assertEquals(ArpPacket.REQUEST, arp.operation());
        assertEquals(Ip4Address.parse("172.18.255.254"), arp.targetIp());
        assertArrayEquals(arp.encode(), ArpPacket.parse(ByteBuffer.wrap(arp.encode())).encode());
        assertEquals("ffffffffffff0242ac1200020806", HEX.formatHex(frame, 0, 14));

        assertThrows(MalformedFrameException.class, () -> EthernetFrame.parse(ByteBuffer.allocate(13)));
        byte[] llc = frame.clone();
        llc[12] = 0;
        llc[13] = 0x26; // an 802.3 length, not an EtherType
        assertThrows(MalformedFrameException.class, () -> EthernetFrame.parse(ByteBuffer.wrap(llc)));
        assertThrows(MalformedFrameException.class, () -> ArpPacket.parse(ByteBuffer.wrap(frame, 14, 27)));
        byte[] badOp = frame.clone();
        badOp[21] = 3;
        assertThrows(MalformedFrameException.class, () -> EthernetFrame.parse(ByteBuffer.wrap(badOp)).packet());
        byte[] ipv6 = frame.clone();
        ipv6[12] = (byte) 0x86;
        ipv6[13] = (byte) 0xDD;
        assertEquals(new Packet.Other(0x86DD), EthernetFrame.parse(ByteBuffer.wrap(ipv6)).packet());
    }
}
