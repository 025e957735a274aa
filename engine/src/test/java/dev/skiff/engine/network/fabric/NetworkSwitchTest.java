package dev.skiff.engine.network.fabric;

import static dev.skiff.engine.network.fabric.SegmentTest.A;
import static dev.skiff.engine.network.fabric.SegmentTest.A_IP;
import static dev.skiff.engine.network.fabric.SegmentTest.B;
import static dev.skiff.engine.network.fabric.SegmentTest.B_IP;
import static dev.skiff.engine.network.fabric.SegmentTest.C;
import static dev.skiff.engine.network.fabric.SegmentTest.C_IP;
import static dev.skiff.engine.network.fabric.TestFrames.CONFIG;
import static dev.skiff.engine.network.fabric.TestFrames.DNS;
import static dev.skiff.engine.network.fabric.TestFrames.DNS_MAC;
import static dev.skiff.engine.network.fabric.TestFrames.GATEWAY;
import static dev.skiff.engine.network.fabric.TestFrames.GATEWAY_MAC;
import static dev.skiff.engine.network.fabric.TestFrames.arpRequest;
import static dev.skiff.engine.network.fabric.TestFrames.dnsPayload;
import static dev.skiff.engine.network.fabric.TestFrames.dnsQuery;
import static dev.skiff.engine.network.fabric.TestFrames.ipv4;
import static dev.skiff.engine.network.fabric.TestFrames.mac;
import static dev.skiff.engine.network.fabric.TestFrames.rcode;
import static dev.skiff.engine.network.fabric.TestFrames.udp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.testing.LogCapture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The switch over real UNIX sockets, with the test standing in for three VMs' QEMU. */
class NetworkSwitchTest {
    private static final long WAIT = 5_000, QUIET = 200;

    @TempDir
    Path dir;
    private final LogCapture log = LogCapture.of(StreamPort.class);
    /** Upstream names for the test: any lookup is a failure (tests look up only their own and .invalid names). */
    private final NetworkSwitch fabric = new NetworkSwitch(new HostNames(name -> {
        throw new AssertionError("the switch looked up " + name + " on the host");
    }, java.time.Duration.ofSeconds(5)));
    private Segment segment;
    private FakeQemu vm1, vm2, vm3;

    @BeforeEach
    void connectThreeVms() throws Exception {
        segment = fabric.createSegment(CONFIG, (name, qtype) -> name.equals("api")
                ? Answer.found(DnsServer.NETWORK_TTL, A_IP.toInetAddress()) : Answer.UNKNOWN);
        vm1 = vm("vm1");
        vm2 = vm("vm2");
        vm3 = vm("vm3");
        segment.admit("vm1", A, A_IP);
        segment.admit("vm2", B, B_IP);
        segment.admit("vm3", C, C_IP);
        assertEquals(Set.of("vm1", "vm2", "vm3"), fabric.connected("net1"));
    }

    private FakeQemu vm(String name) throws IOException {
        FakeQemu qemu = new FakeQemu(dir, name);
        fabric.connect("net1", name, qemu.socket);
        qemu.accept();
        return qemu;
    }

    @AfterEach
    void closeAll() throws Exception {
        fabric.close();
        for (FakeQemu q : List.of(vm1, vm2, vm3)) {
            q.close();
        }
        log.close();
    }

    @Test
    void unicastBetweenVms() throws Exception {
        byte[] frame = ipv4(A, B, A_IP, B_IP, Ipv4Packet.PROTOCOL_TCP, new byte[1400]);
        vm1.send(frame);
        assertArrayEquals(frame, vm2.next(WAIT));
        byte[] back = ipv4(B, A, B_IP, A_IP, Ipv4Packet.PROTOCOL_TCP, new byte[60000]);
        vm2.send(back);
        assertArrayEquals(back, vm1.next(WAIT));
        assertTrue(vm3.nothingWithin(QUIET));
    }

    @Test
    void broadcastFloodsAllButTheSender() throws Exception {
        byte[] frame = arpRequest(A, A_IP, C_IP);
        vm1.send(frame);
        assertArrayEquals(frame, vm2.next(WAIT));
        assertArrayEquals(frame, vm3.next(WAIT));
        assertTrue(vm1.nothingWithin(QUIET));
    }

    @Test
    void spoofedAndGatewayAndUnknownFramesAreDroppedAndCounted() throws Exception {
        vm1.send(ipv4(B, C, B_IP, C_IP, 6, new byte[20]));                    // B's MAC from vm1
        vm1.send(ipv4(A, C, ip(9), C_IP, 6, new byte[20]));                   // someone else's address
        vm1.send(ipv4(GATEWAY_MAC, C, GATEWAY, C_IP, 6, new byte[20]));       // vm1's own gateway
        vm1.send(ipv4(A, mac("02:42:ac:12:00:63"), A_IP, ip(99), 6, new byte[20])); // nobody's MAC
        byte[] marker = ipv4(A, C, A_IP, C_IP, 6, new byte[20]);
        vm1.send(marker); // frames on one port are handled in order: once this arrives, the rest were seen
        assertArrayEquals(marker, vm3.next(WAIT));
        assertTrue(vm2.nothingWithin(QUIET) && vm3.nothingWithin(0));
        SegmentCounters counters = segment.counters();
        assertEquals(1, counters.dropped(DropReason.SPOOFED_MAC));
        assertEquals(1, counters.dropped(DropReason.SPOOFED_IP));
        assertEquals(1, counters.dropped(DropReason.GATEWAY_SOURCE));
        assertEquals(1, counters.dropped(DropReason.UNKNOWN_UNICAST));
        assertEquals(1, counters.forwarded());
    }

    private static Ip4Address ip(int last) {
        return new Ip4Address(CONFIG.subnet().network().bits() + last);
    }

    @Test
    void arpForTheDnsAddressIsAnswered() throws Exception {
        vm2.send(arpRequest(B, B_IP, DNS));
        EthernetFrame reply = EthernetFrame.parse(ByteBuffer.wrap(vm2.next(WAIT)));
        assertEquals(B, reply.destination());
        ArpPacket arp = assertInstanceOf(ArpPacket.class, reply.packet());
        assertEquals(ArpPacket.REPLY, arp.operation());
        assertEquals(DNS_MAC, arp.senderMac());
        assertEquals(DNS, arp.senderIp());
        assertTrue(vm1.nothingWithin(QUIET) && vm3.nothingWithin(0));
    }

    @Test
    void dnsAnswersTheNetworksNamesAndNxdomainForInvalidAtOnce() throws Exception {
        vm3.send(udp(C, DNS_MAC, C_IP, DNS, 33333, 53, dnsQuery(42, "api", DnsServer.TYPE_A)));
        ByteBuffer answer = dnsPayload(vm3.next(WAIT));
        assertEquals(42, answer.getShort(0));
        assertEquals(DnsServer.NOERROR, rcode(answer));
        assertEquals(A_IP.bits(), answer.getInt(answer.limit() - 4));

        // NXDOMAIN without a lookup: the switch's upstream fails the test on any lookup.
        vm3.send(udp(C, DNS_MAC, C_IP, DNS, 33334, 53, dnsQuery(43, "nosuch.invalid", DnsServer.TYPE_A)));
        ByteBuffer nx = dnsPayload(vm3.next(WAIT));
        assertEquals(43, nx.getShort(0));
        assertEquals(DnsServer.NXDOMAIN, rcode(nx));
    }

    @Test
    void aMalformedLengthClosesOnlyThatPort() throws Exception {
        vm2.sendRaw(ByteBuffer.allocate(4).putInt(0, 70_000));
        assertSame(FakeQemu.EOF, vm2.next(WAIT));
        waitUntil(() -> !fabric.connected("net1").contains("vm2"));
        log.await(l -> true, java.time.Duration.ofMillis(WAIT)); // the switch logs the port's end after it leaves the table
        assertEquals(1, log.lines().size(), log.lines().toString());
        String line = log.lines().getFirst();
        assertTrue(line.contains("vm2") && line.contains("70000"), line);

        byte[] frame = ipv4(A, C, A_IP, C_IP, 6, new byte[20]);
        vm1.send(frame);
        assertArrayEquals(frame, vm3.next(WAIT));
        vm1.send(ipv4(A, B, A_IP, B_IP, 6, new byte[20]));
        waitUntil(() -> segment.counters().dropped(DropReason.UNKNOWN_UNICAST) == 1); // B is admitted but its port is gone
    }

    @Test
    void aZeroLengthIsMalformedTooAndShortFramesAreOnlyDropped() throws Exception {
        vm1.send(new byte[5]); // under an Ethernet header: one bad frame, the stream is still in step
        byte[] frame = arpRequest(A, A_IP, B_IP);
        vm1.send(frame);
        assertArrayEquals(frame, vm2.next(WAIT));
        assertEquals(1, segment.counters().dropped(DropReason.MALFORMED));
        vm1.sendRaw(ByteBuffer.allocate(4));
        assertSame(FakeQemu.EOF, vm1.next(WAIT));
        waitUntil(() -> fabric.connected("net1").equals(Set.of("vm2", "vm3")));
    }

    @Test
    void revokeStopsDelivery() throws Exception {
        assertTrue(segment.revoke(C));
        vm1.send(ipv4(A, C, A_IP, C_IP, 6, new byte[20]));
        vm3.send(ipv4(C, A, C_IP, A_IP, 6, new byte[20]));
        assertTrue(vm3.nothingWithin(QUIET) && vm1.nothingWithin(0));
        waitUntil(() -> segment.counters().droppedTotal() == 2);
    }

    @Test
    void theVmGoingAwayAndDisconnectCloseThePort() throws Exception {
        vm3.closeClient();
        waitUntil(() -> fabric.connected("net1").equals(Set.of("vm1", "vm2")));
        assertTrue(fabric.disconnect("net1", "vm2"));
        assertSame(FakeQemu.EOF, vm2.next(WAIT));
        assertFalse(fabric.disconnect("net1", "vm2"));
        assertEquals(Set.of("vm1"), fabric.connected("net1"));
        log.await(l -> l.contains("vm3"), java.time.Duration.ofMillis(WAIT)); // logged after the port leaves the table
        assertEquals(1, log.lines().size(), log.lines().toString()); // the VM's EOF is logged, the daemon's disconnect is not
    }

    @Test
    void reconnectReplacesThePortAndCloseEndsEverything() throws Exception {
        fabric.connect("net1", "vm1", vm1.socket); // the old connection is closed first, as QEMU would want
        assertSame(FakeQemu.EOF, vm1.next(WAIT));
        vm1.accept();
        byte[] frame = ipv4(B, A, B_IP, A_IP, 6, new byte[20]);
        vm2.send(frame);
        assertArrayEquals(frame, vm1.next(WAIT));
        assertThrows(IllegalArgumentException.class, () -> fabric.connect("nosuch", "vm1", vm1.socket));
        assertThrows(IOException.class, () -> fabric.connect("net1", "vm9", dir.resolve("missing.sock")));

        fabric.close();
        for (FakeQemu q : List.of(vm1, vm2, vm3)) {
            assertSame(FakeQemu.EOF, q.next(WAIT));
        }
        assertTrue(fabric.segment("net1").isEmpty());
        assertThrows(IllegalStateException.class, () -> fabric.connect("net1", "vm1", vm1.socket));
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT * 1_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out");
            Thread.sleep(10);
        }
    }
}
