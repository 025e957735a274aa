package dev.skiff.vhost;

import static dev.skiff.vhost.Descriptor.F_INDIRECT;
import static dev.skiff.vhost.Descriptor.F_NEXT;
import static dev.skiff.vhost.Descriptor.F_WRITE;
import static dev.skiff.vhost.FakeFrontend.payload;
import static dev.skiff.vhost.FakeFrontend.state;
import static dev.skiff.vhost.FakeFrontend.u64;
import static dev.skiff.vhost.GuestRam.*;
import static dev.skiff.vhost.VhostUser.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.sys.EventFds;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Sockets;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A whole session against a fake QEMU over a socket pair: the message sequence of the research
 * notes (realize, then DRIVER_OK), rings built by hand in a memfd, a kick, and the call eventfd
 * and used ring checked. Then the hostile front-ends, each of which must end the session with a
 * typed refusal, its descriptors closed, and the process unharmed.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BackendSessionTest {
    private static final int Q = 1; // the request queue; 0 is hiprio
    private static final long ACKED = F_VERSION_1 | F_PROTOCOL_FEATURES | F_INDIRECT_DESC;

    private GuestRam guest;
    private EchoDevice device;
    private FakeFrontend qemu;
    private BackendSession session;
    private CompletableFuture<SessionEnd> end;
    private int kick = -1, call = -1, err = -1;
    private long fdsBefore;
    /** Descriptors the test made only to send: the back-end gets copies, these are ours to close. */
    private final java.util.List<Integer> sentCopies = new java.util.ArrayList<>();

    private int sent(int fd) {
        sentCopies.add(fd);
        return fd;
    }

    private static long openFds() throws Exception {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        fdsBefore = openFds();
        guest = new GuestRam();
        device = new EchoDevice();
        int[] pair = Sockets.streamPair();
        qemu = new FakeFrontend(pair[0]);
        session = new BackendSession(pair[1], device);
        end = new CompletableFuture<>();
        Thread.ofPlatform().name("vhost-session-under-test").start(() -> end.complete(session.serve()));
        kick = EventFds.create(true);
        call = EventFds.create(true);
        err = EventFds.create(true);
    }

    @AfterEach
    void tearDown() throws Exception {
        qemu.close();
        end.get(10, TimeUnit.SECONDS);
        Fds.closeQuietly(kick);
        Fds.closeQuietly(call);
        Fds.closeQuietly(err);
        sentCopies.forEach(Fds::closeQuietly);
        assertTrue(guest.canaryIntact(), "nothing outside the region was written");
        guest.close();
        assertEquals(fdsBefore, openFds(), "every descriptor of the session and of the test is closed");
    }

    private SessionEnd ended() throws Exception {
        return end.get(10, TimeUnit.SECONDS);
    }

    private void assertRefused(VhostUserException.Kind kind) throws Exception {
        SessionEnd e = ended();
        assertEquals(SessionEnd.Kind.REFUSED, e.kind(), String.valueOf(e.cause()));
        assertEquals(kind, ((VhostUserException) e.cause()).kind(), e.cause().getMessage());
        assertTrue(qemu.closedByBackend(), "the back-end closed the socket");
    }

    /** What QEMU 7.2 sends at realize, and then at DRIVER_OK for queue {@link #Q}. */
    private void startDevice(long features) throws Exception {
        startDevice(features, true);
    }

    private void startDevice(long features, boolean enable) throws Exception {
        long offered = qemu.u64(GET_FEATURES);
        assertEquals(RING_FEATURES, offered & RING_FEATURES, "VERSION_1, INDIRECT_DESC, EVENT_IDX and bit 30 offered");
        long protocol = qemu.u64(GET_PROTOCOL_FEATURES);
        assertEquals(PROTOCOL_F_MQ | PROTOCOL_F_REPLY_ACK | PROTOCOL_F_CONFIG, protocol);
        qemu.send(SET_PROTOCOL_FEATURES, u64(protocol));
        assertEquals(2, qemu.u64(GET_QUEUE_NUM));
        assertEquals(0, qemu.sendAcked(SET_OWNER, payload(0)), "REPLY_ACK: success");
        assertEquals(offered, qemu.u64(GET_FEATURES));
        qemu.send(SET_VRING_CALL, u64(0), sent(EventFds.create(true))); // QEMU's masked notifier for hiprio
        qemu.send(SET_VRING_CALL, u64(Q), call);

        qemu.send(SET_FEATURES, u64(features));
        qemu.send(SET_MEM_TABLE, memTable(guest.region()), sent(guest.dup()));
        qemu.send(SET_VRING_NUM, state(Q, QUEUE_SIZE));
        qemu.send(SET_VRING_BASE, state(Q, 0));
        FrontendRequest.SetVringAddr a = guest.addr(Q);
        qemu.send(SET_VRING_ADDR, payload(40).putInt(0, Q).putLong(8, a.descriptor()).putLong(16, a.used())
                .putLong(24, a.available()));
        qemu.send(SET_VRING_KICK, u64(Q), kick);
        assertEquals(0, qemu.sendAcked(SET_VRING_ERR, u64(Q), err), "the ring is set up once this is acked");
        if (enable) {
            assertEquals(0, qemu.sendAcked(SET_VRING_ENABLE, state(Q, 1)), "the ring runs once this is acked");
        }
    }

    private static ByteBuffer memTable(MemoryRegionInfo... regions) {
        ByteBuffer b = payload(8 + 32 * regions.length).putInt(0, regions.length);
        for (int i = 0; i < regions.length; i++) {
            MemoryRegionInfo r = regions[i];
            b.putLong(8 + 32 * i, r.guestPhysAddress()).putLong(16 + 32 * i, r.size())
                    .putLong(24 + 32 * i, r.userspaceAddress()).putLong(32 + 32 * i, r.mmapOffset());
        }
        return b;
    }

    /** Waits for the back-end's interrupt on the call eventfd and clears it. */
    private void awaitCall() throws Exception {
        assertNotEquals(0, Fds.poll(call, Fds.POLLIN, FakeFrontend.TIMEOUT_MS), "no call within the timeout");
        assertTrue(EventFds.consume(call) > 0);
    }

    /** One request: "text" readable at BUFFERS + base, 16 writable bytes at BUFFERS + base + 0x100. */
    private void echo(int head, long base, String text) throws Exception {
        guest.write(BUFFERS + base, text);
        guest.desc(head, GPA + BUFFERS + base, text.length(), F_NEXT, head + 1);
        guest.desc(head + 1, GPA + BUFFERS + base + 0x100, 16, F_WRITE, 0);
        guest.makeAvailable(head);
        EventFds.signal(kick);
    }

    @Test
    void aKickedRequestIsHandledPutOnTheUsedRingAndCalled() throws Exception {
        startDevice(ACKED);
        ByteBuffer config = payload(12 + 44).putInt(4, 44);
        qemu.send(GET_CONFIG, config);
        ByteBuffer reply = qemu.reply(GET_CONFIG);
        assertEquals(56, reply.capacity());
        assertEquals(44, reply.getInt(4));
        assertEquals(TAG_TEXT, new String(reply.array(), 12, EchoDevice.TAG.length(), StandardCharsets.UTF_8));
        assertEquals(1, reply.getInt(12 + 36), "num_request_queues");

        echo(2, 0, "ping");
        awaitCall();
        assertEquals(1, guest.usedIdx());
        assertArrayEquals(new long[] {2, 4}, guest.used(0));
        assertEquals("PING", guest.read(BUFFERS + 0x100, 4));

        echo(4, 0x400, "second");
        awaitCall();
        assertEquals(2, guest.usedIdx());
        assertArrayEquals(new long[] {4, 6}, guest.used(1));
        assertEquals("SECOND", guest.read(BUFFERS + 0x500, 6));

        qemu.send(SET_VRING_ENABLE, state(Q, 0)); // stop as 7.2 does: disable, then GET_VRING_BASE
        qemu.send(GET_VRING_BASE, state(Q, 0));
        ByteBuffer base = qemu.reply(GET_VRING_BASE);
        assertEquals(Q, base.getInt(0));
        assertEquals(2, base.getInt(4), "the next avail index");
        assertEquals(2, device.handled.get());
        qemu.close();
        assertEquals(SessionEnd.Kind.PEER_CLOSED, ended().kind());
    }

    private static final String TAG_TEXT = EchoDevice.TAG;

    @Test
    void withBit30TheRingWaitsForSetVringEnable() throws Exception {
        startDevice(ACKED, false);
        echo(0, 0, "early");
        qemu.send(GET_VRING_BASE, state(Q, 0)); // stops the ring: had it run, it would have popped the chain
        assertEquals(0, qemu.reply(GET_VRING_BASE).getInt(4), "nothing was popped while disabled");
        assertEquals(0, device.handled.get());
        qemu.send(SET_VRING_KICK, u64(Q), kick); // QEMU starts it again with a kick fd
        assertEquals(0, qemu.sendAcked(SET_VRING_ENABLE, state(Q, 1)));
        awaitCall(); // the worker drains at start what was made available before
        assertEquals("EARLY", guest.read(BUFFERS + 0x100, 5));
    }

    @Test
    void withoutBit30RingsRunAtOnce() throws Exception {
        startDevice(F_VERSION_1, false);
        echo(0, 0, "now");
        awaitCall();
        assertEquals("NOW", guest.read(BUFFERS + 0x100, 3));
    }

    @Test
    void indirectChainsAndEventIdxWorkThroughTheSession() throws Exception {
        startDevice(ACKED | F_EVENT_IDX);
        guest.setUsedEvent(0); // interrupt once entry 0 is used
        long table = BUFFERS + 0x2000;
        guest.write(BUFFERS, "via indirect");
        guest.desc(table, 0, GPA + BUFFERS, 12, F_NEXT, 1);
        guest.desc(table, 1, GPA + BUFFERS + 0x100, 16, F_WRITE, 0);
        guest.desc(0, GPA + table, 32, F_INDIRECT, 0);
        guest.makeAvailable(0);
        EventFds.signal(kick);
        awaitCall();
        assertEquals("VIA INDIRECT", guest.read(BUFFERS + 0x100, 12));
        assertArrayEquals(new long[] {0, 12}, guest.used(0));
        // the call comes from inside the drain; disabling joins the worker, so its drain has ended
        assertEquals(0, qemu.sendAcked(SET_VRING_ENABLE, state(Q, 0)));
        assertEquals(1, guest.availEvent(), "the back-end asked for a kick at the next avail index");
    }

    @Test
    void aNewMemTableWhileRunningRemapsTheRings() throws Exception {
        startDevice(ACKED);
        echo(0, 0, "before");
        awaitCall();
        assertEquals(0, qemu.sendAcked(SET_MEM_TABLE, memTable(guest.region()), sent(guest.dup())));
        echo(2, 0x400, "after");
        awaitCall();
        assertEquals(2, guest.usedIdx());
        assertEquals("AFTER", guest.read(BUFFERS + 0x500, 5));
    }

    @Test
    void aDescriptorOutsideEveryRegionStopsTheQueueButNotTheSession() throws Exception {
        startDevice(ACKED);
        guest.desc(0, GPA + REGION_SIZE, 64, F_WRITE, 0); // the canary right after the region
        guest.makeAvailable(0);
        EventFds.signal(kick);
        VirtqueueException e = device.fault.get(10, TimeUnit.SECONDS);
        assertTrue(e.getMessage().contains("not inside one memory region"), e.getMessage());
        assertNotEquals(0, Fds.poll(err, Fds.POLLIN, FakeFrontend.TIMEOUT_MS), "the error eventfd was signalled");
        assertEquals(0, guest.usedIdx(), "nothing was used");
        assertEquals(0, device.handled.get());
        assertEquals(2, qemu.u64(GET_QUEUE_NUM), "the session still serves");
    }

    @Test
    void aLoopingChainStopsTheQueue() throws Exception {
        startDevice(ACKED);
        guest.desc(0, GPA + BUFFERS, 4, F_NEXT, 1);
        guest.desc(1, GPA + BUFFERS, 4, F_NEXT, 0);
        guest.makeAvailable(0);
        EventFds.signal(kick);
        assertTrue(device.fault.get(10, TimeUnit.SECONDS).getMessage().contains("a loop"));
        assertEquals(0, guest.usedIdx());
    }

    @Test
    void anUnknownRequestEndsTheSession() throws Exception {
        qemu.send(77, payload(0));
        assertRefused(VhostUserException.Kind.UNKNOWN_REQUEST);
    }

    @Test
    void anOversizedMessageEndsTheSessionBeforeItsPayloadIsRead() throws Exception {
        ByteBuffer h = payload(12).putInt(0, SET_FEATURES).putInt(4, VERSION).putInt(8, Limits.MAX_PAYLOAD + 1);
        qemu.sendRaw(h.array());
        assertRefused(VhostUserException.Kind.TOO_LONG);
    }

    @Test
    void aTruncatedMessageEndsTheSession() throws Exception {
        ByteBuffer partial = payload(12 + 4).putInt(0, SET_FEATURES).putInt(4, VERSION).putInt(8, 8);
        qemu.sendRaw(partial.array());
        Sockets.shutdown(qemu.fd); // no more bytes will come
        assertRefused(VhostUserException.Kind.TRUNCATED);
    }

    @Test
    void aPayloadTooShortForItsRequestEndsTheSession() throws Exception {
        qemu.send(SET_VRING_NUM, payload(4));
        assertRefused(VhostUserException.Kind.MALFORMED);
    }

    @Test
    void aMemTableWithMoreRegionsThanDescriptorsEndsTheSession() throws Exception {
        MemoryRegionInfo second = new MemoryRegionInfo(GPA + REGION_SIZE, 4096, UVA + REGION_SIZE, 0);
        qemu.send(SET_MEM_TABLE, memTable(guest.region(), second), sent(guest.dup()));
        assertRefused(VhostUserException.Kind.WRONG_FDS);
    }

    @Test
    void aMemTableWithMoreRegionsThanTheLimitEndsTheSession() throws Exception {
        MemoryRegionInfo[] nine = new MemoryRegionInfo[9];
        int[] fds = new int[9];
        for (int i = 0; i < 9; i++) {
            nine[i] = new MemoryRegionInfo(i * 0x1000L, 0x1000, UVA + i * 0x1000L, i * 0x1000L);
            fds[i] = sent(guest.dup());
        }
        qemu.send(SET_MEM_TABLE, memTable(nine), fds);
        assertRefused(VhostUserException.Kind.MALFORMED);
    }

    @Test
    void aMemTableLargerThanItsFileEndsTheSessionWithoutMapping() throws Exception {
        qemu.send(SET_MEM_TABLE, memTable(new MemoryRegionInfo(GPA, FILE_SIZE * 2, UVA, 0)), sent(guest.dup()));
        assertRefused(VhostUserException.Kind.MALFORMED);
    }

    @Test
    void aRefusedRequestWithNeedReplyGetsAFailureAckFirst() throws Exception {
        qemu.send(SET_PROTOCOL_FEATURES, u64(PROTOCOL_F_REPLY_ACK));
        assertEquals(BackendSession.ACK_FAILED, qemu.sendAcked(SET_VRING_NUM, state(5, 8)), "queue 5 of 2");
        assertRefused(VhostUserException.Kind.INVALID_STATE);
    }

    @Test
    void featuresNotOfferedAreRefused() throws Exception {
        qemu.send(SET_FEATURES, u64(1L << 40));
        assertRefused(VhostUserException.Kind.INVALID_STATE);
    }

    @Test
    void aKickWithoutDescriptorIsRefusedSincePollingIsNotOffered() throws Exception {
        assertEquals(Limits.MAX_MEM_REGIONS, qemu.u64(GET_MAX_MEM_SLOTS));
        qemu.send(SET_VRING_KICK, u64(VRING_NOFD_MASK | Q));
        assertRefused(VhostUserException.Kind.INVALID_STATE);
    }

    @Test
    void aKickForAQueueTheDeviceLacksIsRefusedAndItsDescriptorClosed() throws Exception {
        qemu.send(SET_VRING_KICK, u64(7), sent(EventFds.create(true)));
        assertRefused(VhostUserException.Kind.INVALID_STATE);
    }

    @Test
    void closingFromAnotherThreadEndsTheSession() throws Exception {
        startDevice(ACKED);
        session.close();
        assertEquals(SessionEnd.Kind.CLOSED_LOCALLY, ended().kind());
    }
}
