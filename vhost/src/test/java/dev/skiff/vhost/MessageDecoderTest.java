package dev.skiff.vhost;

import static dev.skiff.vhost.VhostUser.*;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.sys.EventFds;
import dev.skiff.vhost.FrontendRequest.*;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Payload layouts, limits and who closes which descriptor. */
class MessageDecoderTest {
    private static ByteBuffer payload(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static FrontendRequest decode(int request, ByteBuffer payload, int... fds) throws VhostUserException {
        return MessageDecoder.decode(new Header(request, VERSION, payload.capacity()), payload.array(), fds);
    }

    private static VhostUserException refused(VhostUserException.Kind kind, int request, ByteBuffer payload, int... fds) {
        VhostUserException e = assertThrows(VhostUserException.class, () -> decode(request, payload, fds));
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    private static boolean open(int fd) {
        return Files.exists(Path.of("/proc/self/fd/" + fd));
    }

    @Test
    void requestsWithoutPayloadAndU64Payloads() throws Exception {
        assertInstanceOf(GetFeatures.class, decode(GET_FEATURES, payload(0)));
        assertInstanceOf(SetOwner.class, decode(SET_OWNER, payload(0)));
        assertInstanceOf(GetQueueNum.class, decode(GET_QUEUE_NUM, payload(0)));
        assertEquals(new SetFeatures(0x1_7000_0000L), decode(SET_FEATURES, payload(8).putLong(0, 0x1_7000_0000L)));
        assertEquals(new SetProtocolFeatures(0x209), decode(SET_PROTOCOL_FEATURES, payload(8).putLong(0, 0x209)));
        refused(VhostUserException.Kind.MALFORMED, SET_FEATURES, payload(4));
    }

    @Test
    void vringStateAndAddress() throws Exception {
        assertEquals(new SetVringNum(1, 128), decode(SET_VRING_NUM, payload(8).putInt(0, 1).putInt(4, 128)));
        assertEquals(new SetVringBase(0, 7), decode(SET_VRING_BASE, payload(8).putInt(4, 7)));
        assertEquals(new GetVringBase(1), decode(GET_VRING_BASE, payload(8).putInt(0, 1)));
        assertEquals(new SetVringEnable(1, true), decode(SET_VRING_ENABLE, payload(8).putInt(0, 1).putInt(4, 1)));
        refused(VhostUserException.Kind.MALFORMED, SET_VRING_ENABLE, payload(8).putInt(4, 2));
        refused(VhostUserException.Kind.MALFORMED, SET_VRING_NUM, payload(8).putInt(0, -1));
        ByteBuffer addr = payload(40).putInt(0, 1).putInt(4, 0).putLong(8, 0x1000).putLong(16, 0x3000)
                .putLong(24, 0x2000).putLong(32, 0);
        assertEquals(new SetVringAddr(1, 0, 0x1000, 0x3000, 0x2000, 0), decode(SET_VRING_ADDR, addr),
                "descriptor, used, then available, as in struct vhost_vring_addr");
        refused(VhostUserException.Kind.MALFORMED, SET_VRING_ADDR, payload(32));
    }

    @Test
    void kickTakesItsOneDescriptorOrTheNoFdFlag() throws Exception {
        int fd = EventFds.create(false);
        SetVringKick kick = (SetVringKick) decode(SET_VRING_KICK, payload(8).putLong(0, 1), fd);
        assertEquals(1, kick.index());
        assertEquals(fd, kick.fd());
        assertTrue(open(fd), "the request owns it now");
        kick.closeFds();
        assertFalse(open(fd));

        int extra = EventFds.create(false);
        SetVringCall call = (SetVringCall) decode(SET_VRING_CALL, payload(8).putLong(0, VRING_NOFD_MASK | 2), extra);
        assertEquals(-1, call.fd());
        assertFalse(open(extra), "a descriptor the message does not need is closed");

        refused(VhostUserException.Kind.WRONG_FDS, SET_VRING_KICK, payload(8));
        int a = EventFds.create(false), b = EventFds.create(false);
        refused(VhostUserException.Kind.WRONG_FDS, SET_VRING_ERR, payload(8), a, b);
        assertFalse(open(a) || open(b), "all closed on refusal");
        refused(VhostUserException.Kind.MALFORMED, SET_VRING_CALL, payload(8).putLong(0, 0x200));
    }

    @Test
    void extraDescriptorsOnAMessageThatNeedsNoneAreClosed() throws Exception {
        int fd = EventFds.create(false);
        assertInstanceOf(GetFeatures.class, decode(GET_FEATURES, payload(0), fd));
        assertFalse(open(fd));
    }

    private static ByteBuffer memTable(int n) {
        ByteBuffer b = payload(8 + 32 * n).putInt(0, n);
        for (int i = 0; i < n; i++) {
            b.putLong(8 + 32 * i, 0x100000L * i).putLong(16 + 32 * i, 0x1000).putLong(24 + 32 * i, 0x7f0000000000L + 0x100000L * i);
        }
        return b;
    }

    @Test
    void memTableNeedsOneDescriptorPerRegionAndAtMostEightRegions() throws Exception {
        int a = EventFds.create(false), b = EventFds.create(false);
        SetMemTable t = (SetMemTable) decode(SET_MEM_TABLE, memTable(2), a, b);
        assertEquals(2, t.regions().size());
        assertEquals(new MemoryRegionInfo(0x100000, 0x1000, 0x7f0000100000L, 0), t.regions().get(1));
        assertArrayEquals(new int[] {a, b}, t.fds());
        t.closeFds();

        int c = EventFds.create(false);
        refused(VhostUserException.Kind.WRONG_FDS, SET_MEM_TABLE, memTable(2), c);
        assertFalse(open(c), "more regions than descriptors: refused, and the one that came closed");
        int[] nine = new int[9];
        for (int i = 0; i < 9; i++) {
            nine[i] = EventFds.create(false);
        }
        refused(VhostUserException.Kind.MALFORMED, SET_MEM_TABLE, memTable(9), nine);
        for (int fd : nine) {
            assertFalse(open(fd));
        }
        refused(VhostUserException.Kind.MALFORMED, SET_MEM_TABLE, memTable(0));
        ByteBuffer wraps = memTable(1).putLong(8, -4096L);
        refused(VhostUserException.Kind.MALFORMED, SET_MEM_TABLE, wraps, EventFds.create(false));
        ByteBuffer claimsTwo = payload(8 + 32).putInt(0, 2);
        refused(VhostUserException.Kind.MALFORMED, SET_MEM_TABLE, claimsTwo, EventFds.create(false));
    }

    @Test
    void getConfigIsBoundedAndItsSizeChecked() throws Exception {
        assertEquals(new GetConfig(0, 44, 0), decode(GET_CONFIG, payload(12 + 44).putInt(4, 44)));
        refused(VhostUserException.Kind.MALFORMED, GET_CONFIG, payload(12).putInt(4, 44));
        refused(VhostUserException.Kind.MALFORMED, GET_CONFIG, payload(12 + 300).putInt(4, 300));
    }

    @Test
    void unknownRequestsAndBadVersionsAreRefused() {
        refused(VhostUserException.Kind.UNKNOWN_REQUEST, 21, payload(0)); // SET_BACKEND_REQ_FD: not offered
        refused(VhostUserException.Kind.UNKNOWN_REQUEST, 999, payload(0));
        VhostUserException e = assertThrows(VhostUserException.class,
                () -> MessageDecoder.decode(new Header(GET_FEATURES, 2, 0), new byte[0], new int[0]));
        assertEquals(VhostUserException.Kind.MALFORMED, e.kind());
    }

    @Test
    void repliesCarryFlagsExactly0x5() {
        ByteBuffer r = ByteBuffer.wrap(Replies.u64(GET_FEATURES, 0x1234)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(GET_FEATURES, r.getInt(0));
        assertEquals(0x5, r.getInt(4));
        assertEquals(8, r.getInt(8));
        assertEquals(0x1234, r.getLong(12));
        ByteBuffer v = ByteBuffer.wrap(Replies.vringState(GET_VRING_BASE, 1, 9)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x5, v.getInt(4));
        assertEquals(1, v.getInt(12));
        assertEquals(9, v.getInt(16));
        ByteBuffer c = ByteBuffer.wrap(Replies.config(GET_CONFIG, 4, 0, new byte[] {1, 2, 3})).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(12 + 3, c.getInt(8), "QEMU checks hdr.size == 12 + len");
        assertEquals(4, c.getInt(12));
        assertEquals(3, c.getInt(16));
        assertEquals(3, c.get(26));
    }
}
