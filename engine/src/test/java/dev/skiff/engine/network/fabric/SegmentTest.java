package dev.skiff.engine.network.fabric;

import static dev.skiff.engine.network.fabric.TestFrames.CONFIG;
import static dev.skiff.engine.network.fabric.TestFrames.DNS;
import static dev.skiff.engine.network.fabric.TestFrames.DNS_MAC;
import static dev.skiff.engine.network.fabric.TestFrames.GATEWAY;
import static dev.skiff.engine.network.fabric.TestFrames.GATEWAY_MAC;
import static dev.skiff.engine.network.fabric.TestFrames.arp;
import static dev.skiff.engine.network.fabric.TestFrames.arpRequest;
import static dev.skiff.engine.network.fabric.TestFrames.ip;
import static dev.skiff.engine.network.fabric.TestFrames.ipv4;
import static dev.skiff.engine.network.fabric.TestFrames.mac;
import static dev.skiff.engine.network.fabric.TestFrames.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The switching rules, with in-memory ports; {@link NetworkSwitchTest} runs them over real sockets. */
class SegmentTest {
    static final MacAddress A = mac("02:42:ac:12:00:02"), B = mac("02:42:ac:12:00:03"), C = mac("02:42:ac:12:00:04");
    static final Ip4Address A_IP = ip("172.18.0.2"), B_IP = ip("172.18.0.3"), C_IP = ip("172.18.0.4");

    /** A port that keeps what it is offered, up to a capacity. */
    record MemoryPort(String name, BlockingQueue<byte[]> frames) implements Port {
        MemoryPort(String name, int capacity) {
            this(name, new LinkedBlockingQueue<>(capacity));
        }

        @Override
        public boolean offer(byte[] frame) {
            return frames.offer(frame);
        }

        byte[] next() throws InterruptedException {
            return frames.poll(5, TimeUnit.SECONDS);
        }
    }

    private final Segment segment = new Segment(CONFIG, (name, qtype) -> name.equals("api")
            ? Answer.found(DnsServer.NETWORK_TTL, A_IP.toInetAddress()) : Answer.NO_SUCH_NAME);
    private final MemoryPort vm1 = new MemoryPort("vm1", 100), vm2 = new MemoryPort("vm2", 100), vm3 = new MemoryPort("vm3", 100);

    SegmentTest() {
        segment.attach(vm1);
        segment.attach(vm2);
        segment.attach(vm3);
        segment.admit("vm1", A, A_IP);
        segment.admit("vm2", B, B_IP);
        segment.admit("vm3", C, C_IP);
    }

    private long dropped(DropReason reason) {
        return segment.counters().dropped(reason);
    }

    @Test
    void unicastGoesToTheDestinationPortOnly() {
        byte[] frame = ipv4(A, B, A_IP, B_IP, Ipv4Packet.PROTOCOL_TCP, new byte[20]);
        segment.receive("vm1", frame);
        assertSame(frame, vm2.frames().poll());
        assertTrue(vm1.frames().isEmpty() && vm3.frames().isEmpty());
        assertEquals(1, segment.counters().forwarded());
    }

    @Test
    void broadcastAndMulticastGoEverywhereButBack() {
        segment.receive("vm1", arpRequest(A, A_IP, B_IP));
        segment.receive("vm1", udp(A, mac("01:00:5e:00:00:fb"), A_IP, ip("224.0.0.251"), 5353, 5353, new byte[12]));
        assertEquals(2, vm2.frames().size());
        assertEquals(2, vm3.frames().size());
        assertTrue(vm1.frames().isEmpty());
        assertEquals(2, segment.counters().flooded());
    }

    @Test
    void spoofedSourcesAreDroppedAndCounted() {
        segment.receive("vm1", ipv4(B, C, B_IP, C_IP, 6, new byte[20]));          // B's MAC, from A's port
        segment.receive("vm1", ipv4(mac("02:42:ac:12:00:63"), C, A_IP, C_IP, 6, new byte[20])); // never admitted
        assertEquals(2, dropped(DropReason.SPOOFED_MAC));
        segment.receive("vm1", ipv4(A, C, B_IP, C_IP, 6, new byte[20]));          // B's address
        segment.receive("vm1", arpRequest(A, B_IP, C_IP));                        // ARP claiming B's address
        segment.receive("vm1", arp(ArpPacket.REPLY, A, ip("172.18.0.99"), C, C, C_IP));
        assertEquals(3, dropped(DropReason.SPOOFED_IP));
        byte[] arpOtherSender = EthernetFrame.encode(MacAddress.BROADCAST, A, EthernetFrame.TYPE_ARP,
                new ArpPacket(ArpPacket.REQUEST, B, A_IP, new MacAddress(0), C_IP).encode());
        segment.receive("vm1", arpOtherSender);
        assertEquals(3, dropped(DropReason.SPOOFED_MAC));
        segment.receive("vm1", ipv4(GATEWAY_MAC, C, GATEWAY, C_IP, 6, new byte[20]));
        segment.receive("vm1", arp(ArpPacket.REPLY, GATEWAY_MAC, GATEWAY, A, A, A_IP));
        assertEquals(2, dropped(DropReason.GATEWAY_SOURCE));
        assertTrue(vm2.frames().isEmpty() && vm3.frames().isEmpty());
        assertEquals(0, segment.counters().forwarded() + segment.counters().flooded());
    }

    @Test
    void arpProbesAreAllowed() {
        segment.receive("vm1", arpRequest(A, Ip4Address.ANY, A_IP));
        assertEquals(1, segment.counters().flooded());
        assertNotNull(vm2.frames().poll());
    }

    @Test
    void unknownUnicastSamePortGatewayAndOtherEtherTypesAreDropped() {
        segment.receive("vm1", ipv4(A, mac("02:42:ac:12:00:63"), A_IP, ip("172.18.0.99"), 6, new byte[20]));
        assertEquals(1, dropped(DropReason.UNKNOWN_UNICAST));
        segment.admit("vm1", mac("02:42:ac:12:00:05"), ip("172.18.0.5"));
        segment.receive("vm1", ipv4(A, mac("02:42:ac:12:00:05"), A_IP, ip("172.18.0.5"), 6, new byte[20]));
        assertEquals(1, dropped(DropReason.SAME_PORT));
        segment.receive("vm1", ipv4(A, GATEWAY_MAC, A_IP, ip("8.8.8.8"), 6, new byte[20]));
        segment.receive("vm1", arpRequest(A, A_IP, GATEWAY));
        assertEquals(2, dropped(DropReason.GATEWAY_DESTINATION));
        byte[] v6 = EthernetFrame.encode(B, A, EthernetFrame.TYPE_IPV6, new byte[40]);
        segment.receive("vm1", v6);
        assertEquals(1, dropped(DropReason.UNSUPPORTED_ETHERTYPE));
        segment.receive("vm1", new byte[10]);
        assertEquals(1, dropped(DropReason.MALFORMED));
        assertTrue(vm2.frames().isEmpty() && vm3.frames().isEmpty());
        assertEquals(6, segment.counters().received());
    }

    @Test
    void revokeStopsDeliveryBothWays() {
        assertTrue(segment.revoke(B));
        segment.receive("vm1", ipv4(A, B, A_IP, B_IP, 6, new byte[20]));
        segment.receive("vm2", ipv4(B, A, B_IP, A_IP, 6, new byte[20]));
        assertEquals(1, dropped(DropReason.UNKNOWN_UNICAST));
        assertEquals(1, dropped(DropReason.SPOOFED_MAC));
        assertTrue(vm1.frames().isEmpty() && vm2.frames().isEmpty());
    }

    @Test
    void admissionsAreCheckedAndIdempotent() {
        segment.admit("vm1", A, A_IP);
        assertThrows(IllegalArgumentException.class, () -> segment.admit("vm2", A, A_IP));
        assertThrows(IllegalArgumentException.class, () -> segment.admit("vm2", mac("02:42:ac:12:00:09"), A_IP));
        assertThrows(IllegalArgumentException.class, () -> segment.admit("vm2", GATEWAY_MAC, ip("172.18.0.9")));
        assertThrows(IllegalArgumentException.class, () -> segment.admit("vm2", mac("02:42:ac:12:00:09"), GATEWAY));
        assertThrows(IllegalArgumentException.class, () -> segment.admit("vm2", mac("02:42:ac:12:00:09"), DNS));
        assertThrows(IllegalArgumentException.class, () -> segment.admit("vm2", mac("02:42:ac:12:00:09"), ip("10.0.0.9")));
        assertThrows(IllegalArgumentException.class, () -> segment.admit("vm2", MacAddress.BROADCAST, ip("172.18.0.9")));
    }

    @Test
    void aFullPortIsCountedAndDoesNotStopTheOthers() {
        MemoryPort tiny = new MemoryPort("vm4", 1);
        segment.attach(tiny);
        segment.receive("vm1", arpRequest(A, A_IP, B_IP));
        segment.receive("vm1", arpRequest(A, A_IP, C_IP));
        assertEquals(1, dropped(DropReason.QUEUE_FULL));
        assertEquals(2, vm2.frames().size());
    }

    @Test
    void arpForTheDnsAddressIsAnsweredWithTheDnsMac() throws Exception {
        segment.receive("vm1", arpRequest(A, A_IP, DNS));
        EthernetFrame reply = EthernetFrame.parse(ByteBuffer.wrap(vm1.next()));
        assertEquals(A, reply.destination());
        assertEquals(DNS_MAC, reply.source());
        ArpPacket arp = assertInstanceOf(ArpPacket.class, reply.packet());
        assertEquals(new ArpPacket(ArpPacket.REPLY, DNS_MAC, DNS, A, A_IP), arp);
        assertTrue(vm2.frames().isEmpty(), "not flooded");
        assertEquals(1, segment.counters().answered());
    }

    @Test
    void dnsQueriesAreAnsweredBackToTheQuerier() throws Exception {
        segment.receive("vm2", udp(B, DNS_MAC, B_IP, DNS, 41000, 53, TestFrames.dnsQuery(9, "api", DnsServer.TYPE_A)));
        byte[] frame = vm2.next();
        assertNotNull(frame);
        EthernetFrame eth = EthernetFrame.parse(ByteBuffer.wrap(frame));
        assertEquals(B, eth.destination());
        assertEquals(DNS_MAC, eth.source());
        Ipv4Packet ipPacket = Ipv4Packet.parse(eth.payload());
        assertEquals(DNS, ipPacket.source());
        assertEquals(B_IP, ipPacket.destination());
        UdpDatagram reply = UdpDatagram.parse(ipPacket);
        assertEquals(53, reply.sourcePort());
        assertEquals(41000, reply.destinationPort());
        ByteBuffer dns = reply.payload();
        assertEquals(1, TestFrames.answerCount(dns));
        assertEquals(A_IP.bits(), dns.getInt(dns.limit() - 4));
        // not to port 53, or TCP: dropped at the endpoint
        segment.receive("vm2", udp(B, DNS_MAC, B_IP, DNS, 41000, 54, new byte[12]));
        segment.receive("vm2", ipv4(B, DNS_MAC, B_IP, DNS, 6, new byte[20]));
        assertEquals(2, dropped(DropReason.DNS_ENDPOINT));
        assertNull(vm2.frames().poll(100, TimeUnit.MILLISECONDS));
    }
}
