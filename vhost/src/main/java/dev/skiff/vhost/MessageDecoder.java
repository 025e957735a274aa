package dev.skiff.vhost;

import static dev.skiff.vhost.VhostUser.*;
import static dev.skiff.vhost.VhostUserException.Kind.*;

import dev.skiff.sys.Fds;
import dev.skiff.vhost.FrontendRequest.*;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns one framed message (header, payload, descriptors) into a {@link FrontendRequest}.
 *
 * <p>It owns the descriptors it is given: a message that needs N descriptors must bring exactly
 * N, and on any refusal all of them are closed; a message that needs none has any it brought
 * closed and is served all the same. Payload sizes are checked exactly against the layouts of
 * "Message Specification": QEMU always sends the whole struct.
 */
public final class MessageDecoder {
    private MessageDecoder() {}

    static final int U64 = 8, VRING_STATE = 8, VRING_ADDR = 40, MEMORY_HEADER = 8, CONFIG_HEADER = 12;

    /** Decodes {@code payload} (exactly {@code header.size()} bytes) with {@code fds}. */
    public static FrontendRequest decode(Header header, byte[] payload, int[] fds) throws VhostUserException {
        try {
            FrontendRequest request = decodeOrThrow(header, payload, fds);
            int taken = request instanceof SetMemTable m ? m.regions().size() : carriesFd(request) ? 1 : 0;
            if (taken == 0) {
                closeAll(fds); // a message that needs none: extra descriptors are dropped
            }
            return request;
        } catch (VhostUserException | RuntimeException e) {
            closeAll(fds);
            throw e;
        }
    }

    private static boolean carriesFd(FrontendRequest r) {
        return switch (r) {
            case SetVringKick k -> k.fd() >= 0;
            case SetVringCall c -> c.fd() >= 0;
            case SetVringErr e -> e.fd() >= 0;
            default -> false;
        };
    }

    private static FrontendRequest decodeOrThrow(Header h, byte[] payload, int[] fds) throws VhostUserException {
        if ((h.flags() & VERSION_MASK) != VERSION) {
            throw new VhostUserException(MALFORMED, "version " + (h.flags() & VERSION_MASK) + " in " + name(h.request()));
        }
        if (payload.length != h.size()) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes for a header of " + h.size());
        }
        ByteBuffer b = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
        int r = h.request();
        return switch (r) {
            case GET_FEATURES -> new GetFeatures();
            case SET_FEATURES -> new SetFeatures(u64(h, b));
            case SET_OWNER -> new SetOwner();
            case RESET_OWNER -> new ResetOwner();
            case GET_PROTOCOL_FEATURES -> new GetProtocolFeatures();
            case SET_PROTOCOL_FEATURES -> new SetProtocolFeatures(u64(h, b));
            case SET_MEM_TABLE -> memTable(h, b, fds);
            case SET_VRING_NUM -> new SetVringNum(vringIndex(h, b), vringNum(b));
            case SET_VRING_BASE -> new SetVringBase(vringIndex(h, b), vringNum(b));
            case GET_VRING_BASE -> new GetVringBase(vringIndex(h, b));
            case SET_VRING_ENABLE -> enable(h, b);
            case SET_VRING_ADDR -> {
                size(h, VRING_ADDR);
                int index = queueIndex(h, b.getInt(0));
                yield new SetVringAddr(index, b.getInt(4), b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32));
            }
            case SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR -> vringFd(h, b, fds);
            case GET_QUEUE_NUM -> new GetQueueNum();
            case GET_CONFIG -> config(h, b);
            case GET_MAX_MEM_SLOTS -> new GetMaxMemSlots();
            default -> throw new VhostUserException(UNKNOWN_REQUEST, "unknown or not offered " + name(r)
                    + " (" + h.size() + " payload bytes)");
        };
    }

    private static void size(Header h, int expected) throws VhostUserException {
        if (h.size() != expected) {
            throw new VhostUserException(MALFORMED, name(h.request()) + " with " + h.size()
                    + " payload bytes; it has " + expected);
        }
    }

    private static long u64(Header h, ByteBuffer b) throws VhostUserException {
        size(h, U64);
        return b.getLong(0);
    }

    private static int queueIndex(Header h, int index) throws VhostUserException {
        if (index < 0 || index >= Limits.MAX_QUEUES) {
            throw new VhostUserException(MALFORMED, name(h.request()) + " for vring " + Integer.toUnsignedString(index));
        }
        return index;
    }

    private static int vringIndex(Header h, ByteBuffer b) throws VhostUserException {
        size(h, VRING_STATE);
        return queueIndex(h, b.getInt(0));
    }

    private static int vringNum(ByteBuffer b) {
        return b.getInt(4);
    }

    private static SetVringEnable enable(Header h, ByteBuffer b) throws VhostUserException {
        int index = vringIndex(h, b);
        int num = vringNum(b);
        if (num != 0 && num != 1) {
            throw new VhostUserException(MALFORMED, "SET_VRING_ENABLE with " + Integer.toUnsignedString(num));
        }
        return new SetVringEnable(index, num == 1);
    }

    private static FrontendRequest vringFd(Header h, ByteBuffer b, int[] fds) throws VhostUserException {
        long value = u64(h, b);
        if ((value & ~(VRING_IDX_MASK | VRING_NOFD_MASK)) != 0) {
            throw new VhostUserException(MALFORMED, name(h.request()) + " with unknown bits 0x" + Long.toHexString(value));
        }
        int index = (int) (value & VRING_IDX_MASK);
        boolean noFd = (value & VRING_NOFD_MASK) != 0;
        int fd;
        if (noFd) {
            fd = -1; // any descriptor that came anyway is closed by decode
        } else {
            if (fds.length != 1) {
                throw new VhostUserException(WRONG_FDS, name(h.request()) + " with " + fds.length + " descriptors; it needs 1");
            }
            fd = fds[0];
        }
        return switch (h.request()) {
            case SET_VRING_KICK -> new SetVringKick(index, fd);
            case SET_VRING_CALL -> new SetVringCall(index, fd);
            default -> new SetVringErr(index, fd);
        };
    }

    /** "Multiple Memory regions description": u32 nregions, u32 padding, then the regions. */
    private static SetMemTable memTable(Header h, ByteBuffer b, int[] fds) throws VhostUserException {
        if (h.size() < MEMORY_HEADER) {
            throw new VhostUserException(MALFORMED, "SET_MEM_TABLE with " + h.size() + " payload bytes");
        }
        int n = b.getInt(0);
        if (n < 1 || n > Limits.MAX_MEM_REGIONS) {
            throw new VhostUserException(MALFORMED, "SET_MEM_TABLE with " + Integer.toUnsignedString(n)
                    + " regions; 1 to " + Limits.MAX_MEM_REGIONS + " allowed");
        }
        size(h, MEMORY_HEADER + n * MemoryRegionInfo.SIZE);
        if (fds.length != n) {
            throw new VhostUserException(WRONG_FDS, "SET_MEM_TABLE with " + n + " regions and " + fds.length + " descriptors");
        }
        List<MemoryRegionInfo> regions = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = MEMORY_HEADER + i * MemoryRegionInfo.SIZE;
            MemoryRegionInfo region = new MemoryRegionInfo(b.getLong(at), b.getLong(at + 8), b.getLong(at + 16), b.getLong(at + 24));
            if (!region.wellFormed()) {
                throw new VhostUserException(MALFORMED, "SET_MEM_TABLE region " + i + " is empty or wraps: " + region);
            }
            regions.add(region);
        }
        return new SetMemTable(regions, fds);
    }

    /** "Virtio device config space": u32 offset, u32 size, u32 flags, then size bytes. */
    private static GetConfig config(Header h, ByteBuffer b) throws VhostUserException {
        if (h.size() < CONFIG_HEADER) {
            throw new VhostUserException(MALFORMED, "GET_CONFIG with " + h.size() + " payload bytes");
        }
        int offset = b.getInt(0), size = b.getInt(4), flags = b.getInt(8);
        if (size < 0 || size > Limits.MAX_CONFIG_SIZE || offset < 0 || offset > Limits.MAX_CONFIG_SIZE) {
            throw new VhostUserException(MALFORMED, "GET_CONFIG of " + Integer.toUnsignedString(size) + " bytes at "
                    + Integer.toUnsignedString(offset));
        }
        size(h, CONFIG_HEADER + size); // QEMU sends room for the answer
        return new GetConfig(offset, size, flags);
    }

    private static void closeAll(int[] fds) {
        Arrays.stream(fds).forEach(Fds::closeQuietly);
    }
}
