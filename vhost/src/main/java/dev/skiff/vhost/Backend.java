package dev.skiff.vhost;

import static dev.skiff.vhost.VhostUserException.Kind.INVALID_STATE;

import dev.skiff.vhost.FrontendRequest.*;
import java.util.Arrays;

/**
 * The state of one vhost-user connection and one method per request: negotiated features, guest
 * memory, the vrings. {@link #handle} returns the reply a request has of its own, or null; the
 * session adds REPLY_ACK and writes replies.
 *
 * <p>Runs on the session thread only. A request that is well formed but invalid now (an unknown
 * queue, features that were not offered) is a {@link VhostUserException} of kind INVALID_STATE.
 */
final class Backend implements AutoCloseable {
    private final Device device;
    private final Vring[] vrings;
    private final long offeredFeatures;
    private long ackedFeatures;
    private long ackedProtocolFeatures;
    private GuestMemory memory;

    Backend(Device device) {
        int count = device.queueCount();
        if (count < 1 || count > Limits.MAX_QUEUES) {
            throw new IllegalArgumentException("a device with " + count + " queues; 1 to " + Limits.MAX_QUEUES);
        }
        this.device = device;
        this.offeredFeatures = device.features() | VhostUser.RING_FEATURES;
        this.vrings = new Vring[count];
        for (int i = 0; i < count; i++) {
            // "Ring states": enabled at once unless VHOST_USER_F_PROTOCOL_FEATURES is negotiated
            vrings[i] = new Vring(i, device.handler(i), true);
        }
    }

    boolean replyAck() {
        return (ackedProtocolFeatures & VhostUser.PROTOCOL_F_REPLY_ACK) != 0;
    }

    byte[] handle(int request, FrontendRequest r) throws VhostUserException {
        return switch (r) {
            case GetFeatures g -> Replies.u64(request, offeredFeatures);
            case SetFeatures s -> setFeatures(s.features());
            case SetOwner s -> null;
            case ResetOwner s -> {
                Arrays.stream(vrings).forEach(Vring::stop);
                yield null;
            }
            case GetProtocolFeatures g -> Replies.u64(request, VhostUser.PROTOCOL_FEATURES);
            case SetProtocolFeatures s -> {
                if ((s.features() & ~VhostUser.PROTOCOL_FEATURES) != 0) {
                    throw new VhostUserException(INVALID_STATE, "protocol features 0x" + Long.toHexString(s.features())
                            + " beyond those offered, 0x" + Long.toHexString(VhostUser.PROTOCOL_FEATURES));
                }
                ackedProtocolFeatures = s.features();
                yield null;
            }
            case SetMemTable m -> setMemTable(m);
            case SetVringNum n -> {
                if (n.num() <= 0 || n.num() > Limits.MAX_QUEUE_SIZE || Integer.bitCount(n.num()) != 1) {
                    throw new VhostUserException(INVALID_STATE, "queue size " + Integer.toUnsignedString(n.num()));
                }
                vring(n.index()).setNum(n.num());
                yield null;
            }
            case SetVringBase b -> {
                if (b.base() < 0 || b.base() > 0xffff) {
                    throw new VhostUserException(INVALID_STATE, "vring base " + Integer.toUnsignedString(b.base()));
                }
                vring(b.index()).setBase(b.base());
                yield null;
            }
            case SetVringAddr a -> {
                Vring v = vring(a.index());
                try {
                    v.setAddr(memory, a, ackedFeatures);
                } catch (VirtqueueException e) {
                    throw new VhostUserException(INVALID_STATE, "SET_VRING_ADDR: " + e.getMessage(), e);
                }
                v.startIfReady();
                yield null;
            }
            case GetVringBase g -> Replies.vringState(request, g.index(), vring(g.index()).stopForBase());
            case SetVringKick k -> {
                Vring v = vringOrClose(k.index(), k);
                if (k.fd() < 0) {
                    throw new VhostUserException(INVALID_STATE, "SET_VRING_KICK without a descriptor (polling) is not supported");
                }
                v.setKick(k.fd());
                v.startIfReady(); // "Ring states": a ring starts when it gets its kick fd
                yield null;
            }
            case SetVringCall c -> {
                vringOrClose(c.index(), c).setCall(c.fd());
                yield null;
            }
            case SetVringErr e -> {
                vringOrClose(e.index(), e).setErr(e.fd());
                yield null;
            }
            case GetQueueNum g -> Replies.u64(request, vrings.length);
            case SetVringEnable e -> {
                Vring v = vring(e.index());
                v.setEnabled(e.enable());
                v.startIfReady();
                yield null;
            }
            case GetConfig c -> config(request, c);
            case GetMaxMemSlots g -> Replies.u64(request, Limits.MAX_MEM_REGIONS);
        };
    }

    private byte[] setFeatures(long features) throws VhostUserException {
        if ((features & ~offeredFeatures) != 0) {
            throw new VhostUserException(INVALID_STATE, "features 0x" + Long.toHexString(features)
                    + " beyond those offered, 0x" + Long.toHexString(offeredFeatures));
        }
        ackedFeatures = features;
        boolean enabled = (features & VhostUser.F_PROTOCOL_FEATURES) == 0;
        for (Vring v : vrings) {
            v.setEnabled(enabled); // with bit 30, rings wait for SET_VRING_ENABLE(1)
        }
        return null;
    }

    /** Maps the new table before dropping the old one; rings are stopped, re-translated and restarted. */
    private byte[] setMemTable(SetMemTable m) throws VhostUserException {
        GuestMemory mapped = GuestMemory.map(m.regions(), m.fds());
        Arrays.stream(vrings).forEach(Vring::stop);
        GuestMemory old = memory;
        memory = mapped;
        if (old != null) {
            old.close();
        }
        for (Vring v : vrings) {
            try {
                v.remap(memory, ackedFeatures);
            } catch (VirtqueueException e) {
                throw new VhostUserException(INVALID_STATE, "rings of queue " + v.index()
                        + " are outside the new memory table: " + e.getMessage(), e);
            }
            v.startIfReady();
        }
        return null;
    }

    private byte[] config(int request, GetConfig c) throws VhostUserException {
        byte[] config = device.config();
        if (c.offset() + c.size() > config.length) {
            throw new VhostUserException(INVALID_STATE, "GET_CONFIG of " + c.size() + " bytes at " + c.offset()
                    + " of a config space of " + config.length);
        }
        return Replies.config(request, c.offset(), c.flags(), Arrays.copyOfRange(config, c.offset(), c.offset() + c.size()));
    }

    private Vring vring(int index) throws VhostUserException {
        if (index >= vrings.length) {
            throw new VhostUserException(INVALID_STATE, "queue " + index + " of a device with " + vrings.length);
        }
        return vrings[index];
    }

    private Vring vringOrClose(int index, FrontendRequest carrier) throws VhostUserException {
        try {
            return vring(index);
        } catch (VhostUserException e) {
            carrier.closeFds();
            throw e;
        }
    }

    /** Stops every queue, closes their eventfds and unmaps guest memory. */
    @Override
    public void close() {
        for (Vring v : vrings) {
            v.close();
        }
        if (memory != null) {
            memory.close();
            memory = null;
        }
    }
}
