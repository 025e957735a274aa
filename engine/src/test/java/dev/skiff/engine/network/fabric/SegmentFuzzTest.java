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
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.skiff.engine.network.fabric.SegmentTest.MemoryPort;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated frames from a guest: nothing throws, and whatever leaves the switch passes
 * an independent check of the rules (admitted source on its port, matching addresses), or is the
 * DNS endpoint's own answer.
 */
class SegmentFuzzTest {
    private static final Map<MacAddress, Ip4Address> ON_VM1 = Map.of(A, A_IP);
    private static final MacAddress[] MACS = {A, B, C, GATEWAY_MAC, DNS_MAC, MacAddress.BROADCAST, TestFrames.mac("01:00:5e:00:00:01"),
            TestFrames.mac("02:42:ac:12:00:63")};
    private static final Ip4Address[] IPS = {A_IP, B_IP, C_IP, GATEWAY, DNS, Ip4Address.ANY, TestFrames.ip("10.1.2.3")};

    private final Random random = new Random(20260101);

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    /** A well-formed frame with random addresses: checksums right, so the rules and not the codecs decide. */
    private byte[] structured() {
        MacAddress src = random.nextBoolean() ? A : pick(MACS), dst = pick(MACS); // half from the sender's own MAC, to reach past the first check
        Ip4Address srcIp = random.nextBoolean() ? A_IP : pick(IPS), dstIp = pick(IPS);
        return switch (random.nextInt(4)) {
            case 0 -> TestFrames.arp(1 + random.nextInt(2), src, srcIp, dst, pick(MACS), dstIp);
            case 1 -> TestFrames.ipv4(src, dst, srcIp, dstIp, 6, new byte[random.nextInt(100)]);
            case 2 -> TestFrames.udp(src, dst, srcIp, dstIp, 1024 + random.nextInt(1000), random.nextBoolean() ? 53 : 99,
                    TestFrames.dnsQuery(random.nextInt(65536), random.nextBoolean() ? "api" : "x.invalid", 1));
            default -> EthernetFrame.encode(dst, src, random.nextBoolean() ? EthernetFrame.TYPE_IPV6 : 0x8100, new byte[40]);
        };
    }

    private byte[] mutated() {
        byte[] frame = structured();
        switch (random.nextInt(4)) {
            case 0 -> frame = Arrays.copyOf(frame, random.nextInt(frame.length + 1));
            case 1 -> frame = Arrays.copyOf(frame, frame.length + random.nextInt(64));
            default -> {
                for (int i = 1 + random.nextInt(4); i > 0 && frame.length > 0; i--) {
                    frame[random.nextInt(frame.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
        }
        return frame;
    }

    private byte[] noise() {
        byte[] frame = new byte[random.nextInt(200)];
        random.nextBytes(frame);
        if (frame.length >= 14 && random.nextBoolean()) {
            // the sender's own MAC and a type the switch parses, so the noise reaches the ARP and IPv4 codecs
            ByteBuffer.wrap(frame).putShort(6, (short) 0x0242).putInt(8, (int) A.bits())
                    .putShort(12, (short) (random.nextBoolean() ? EthernetFrame.TYPE_ARP : EthernetFrame.TYPE_IPV4));
        }
        return frame;
    }

    @Test
    void nothingThrowsAndOnlyValidFramesLeave() throws Exception {
        Segment segment = new Segment(CONFIG, (name, qtype) -> name.equals("api") ? Answer.found(600, B_IP.toInetAddress()) : Answer.NO_SUCH_NAME);
        MemoryPort vm1 = new MemoryPort("vm1", 100_000), vm2 = new MemoryPort("vm2", 100_000), vm3 = new MemoryPort("vm3", 100_000);
        List.of(vm1, vm2, vm3).forEach(segment::attach);
        segment.admit("vm1", A, A_IP);
        segment.admit("vm2", B, B_IP);
        segment.admit("vm3", C, C_IP);
        int frames = 6000;
        for (int i = 0; i < frames; i++) {
            byte[] frame = switch (i % 3) {
                case 0 -> structured();
                case 1 -> mutated();
                default -> noise();
            };
            segment.receive("vm1", frame); // only vm1 sends, so every frame elsewhere came from it
        }
        // DNS answers are written by virtual threads: wait until every one has been written.
        assertTrue(segment.awaitDnsIdle(java.time.Duration.ofSeconds(60)), "DNS answers still in flight");
        SegmentCounters counters = segment.counters();
        assertEquals(frames, counters.received());
        assertTrue(counters.forwarded() + counters.flooded() > 300, counters.toString());
        assertTrue(counters.dropped(DropReason.MALFORMED) > 1000, counters.toString());
        for (MemoryPort other : List.of(vm2, vm3)) {
            for (byte[] frame : other.frames()) {
                checkSwitchedFromVm1(frame);
            }
        }
        for (byte[] frame : vm1.frames()) {
            EthernetFrame eth = EthernetFrame.parse(ByteBuffer.wrap(frame));
            assertEquals(DNS_MAC, eth.source(), "only the DNS endpoint answers back to the sender");
            assertEquals(A, eth.destination());
        }
    }

    /** The rules, restated independently of Segment's code. */
    private static void checkSwitchedFromVm1(byte[] frame) throws MalformedFrameException {
        EthernetFrame eth = EthernetFrame.parse(ByteBuffer.wrap(frame));
        Ip4Address admitted = ON_VM1.get(eth.source());
        if (admitted == null) {
            fail("switched a frame from " + eth.source() + ", not admitted on vm1");
        }
        if (eth.destination().equals(GATEWAY_MAC) || eth.destination().equals(DNS_MAC)) {
            fail("switched a frame to " + eth.destination());
        }
        switch (eth.packet()) {
            case ArpPacket arp -> {
                assertEquals(eth.source(), arp.senderMac());
                assertTrue(arp.senderIp().equals(admitted) || arp.isProbe(), arp.toString());
            }
            case Ipv4Packet ip -> assertEquals(admitted, ip.source());
            case Packet.Other other -> fail("switched EtherType " + Integer.toHexString(other.etherType()));
        }
    }

    @Test
    void aPortReaderSurvivesNoise(@TempDir Path dir) throws Exception {
        try (NetworkSwitch fabric = new NetworkSwitch(); FakeQemu vm1 = new FakeQemu(dir, "vm1"); FakeQemu vm2 = new FakeQemu(dir, "vm2")) {
            Segment segment = fabric.createSegment(CONFIG, (name, qtype) -> Answer.NO_SUCH_NAME);
            fabric.connect("net1", "vm1", vm1.socket);
            vm1.accept();
            fabric.connect("net1", "vm2", vm2.socket);
            vm2.accept();
            segment.admit("vm1", A, A_IP);
            segment.admit("vm2", B, B_IP);
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 3000; i++) {
                byte[] frame = i % 2 == 0 ? mutated() : noise();
                if (frame.length == 0) {
                    continue; // a zero length closes the port, by design
                }
                vm1.send(frame);
                sent.add(frame);
            }
            byte[] marker = TestFrames.ipv4(A, B, A_IP, B_IP, 6, new byte[33]);
            vm1.send(marker);
            byte[] got;
            while ((got = vm2.next(5000)) != null && !Arrays.equals(got, marker)) {
                checkSwitchedFromVm1(got);
            }
            assertArrayEquals(marker, got);
            assertEquals(sent.size() + 1, segment.counters().received());
            assertEquals(List.of("vm1", "vm2"), fabric.connected("net1").stream().sorted().toList());
        }
    }
}
