package dev.skiff.vhost;

import static dev.skiff.vhost.Descriptor.LE16;
import static dev.skiff.vhost.Descriptor.LE32;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

/**
 * One split virtqueue in guest memory ("Split Virtqueues"): the descriptor table (16·N bytes),
 * the avail ring ({@code le16 flags; le16 idx; le16 ring[N]; le16 used_event}) and the used ring
 * ({@code le16 flags; le16 idx; {le32 id; le32 len} ring[N]; le16 avail_event}).
 *
 * <p>{@link #pop} is for the one thread that consumes the queue; {@link #push} and
 * {@link #needsNotification} must be serialised by the caller ({@link Vring} holds a lock).
 * Ordering follows "Receiving Used Buffers From The Device" and the driver's side of it: an
 * acquire fence after reading {@code avail.idx} before reading ring entries, a release fence
 * between writing a used element and publishing {@code used.idx}, and full fences where the
 * EVENT_IDX protocol needs a store to be seen before a load.
 */
final class SplitQueue {
    static final int AVAIL_F_NO_INTERRUPT = 1;

    private final int size;
    private final MemorySegment avail;
    private final MemorySegment used;
    private final ChainWalker walker;
    private final boolean eventIdx;
    private int lastAvail;
    private int usedIdx;

    private SplitQueue(int size, MemorySegment avail, MemorySegment used, ChainWalker walker, boolean eventIdx,
            int lastAvail) {
        this.size = size;
        this.avail = avail;
        this.used = used;
        this.walker = walker;
        this.eventIdx = eventIdx;
        this.lastAvail = lastAvail & 0xffff;
        this.usedIdx = used.get(LE16, 2) & 0xffff; // SET_VRING_BASE carries only the avail index
    }

    /**
     * The queue of {@code size} entries whose parts are at front-end user addresses
     * {@code addr}; {@code lastAvail} is the next avail index to process (SET_VRING_BASE).
     *
     * @throws VirtqueueException if a size is not a power of two up to {@link Limits#MAX_QUEUE_SIZE},
     *     a part is misaligned, or a part is not inside one memory region
     */
    static SplitQueue open(GuestMemory memory, int size, FrontendRequest.SetVringAddr addr, int lastAvail,
            long features) throws VirtqueueException {
        if (size <= 0 || size > Limits.MAX_QUEUE_SIZE || Integer.bitCount(size) != 1) {
            throw new VirtqueueException("queue size " + Integer.toUnsignedString(size) + " (a power of two up to "
                    + Limits.MAX_QUEUE_SIZE + ")");
        }
        if (addr.descriptor() % 16 != 0 || addr.available() % 2 != 0 || addr.used() % 4 != 0) {
            throw new VirtqueueException("misaligned rings " + addr + " (16, 2 and 4 bytes)");
        }
        try {
            MemorySegment table = memory.fromFrontend(addr.descriptor(), (long) Descriptor.SIZE * size);
            MemorySegment avail = memory.fromFrontend(addr.available(), 6 + 2L * size);
            MemorySegment used = memory.fromFrontend(addr.used(), 6 + 8L * size);
            ChainWalker walker = new ChainWalker(memory, table, size, (features & VhostUser.F_INDIRECT_DESC) != 0);
            return new SplitQueue(size, avail, used, walker, (features & VhostUser.F_EVENT_IDX) != 0, lastAvail);
        } catch (GuestMemoryException e) {
            throw new VirtqueueException("rings of queue: " + e.getMessage(), e);
        }
    }

    int size() {
        return size;
    }

    /** The next avail index to process, as GET_VRING_BASE reports it. */
    int lastAvail() {
        return lastAvail;
    }

    /** SET_VRING_BASE on a stopped queue. */
    void setLastAvail(int lastAvail) {
        this.lastAvail = lastAvail & 0xffff;
    }

    int usedIdx() {
        return usedIdx;
    }

    /** How many buffers the driver has made available that were not popped yet. */
    int pending() throws VirtqueueException {
        int availIdx = avail.get(LE16, 2) & 0xffff;
        VarHandle.acquireFence(); // ring entries are read after the index that published them
        int pending = (availIdx - lastAvail) & 0xffff;
        if (pending > size) {
            throw new VirtqueueException("avail.idx " + availIdx + " is " + pending + " ahead of " + lastAvail
                    + " in a queue of " + size);
        }
        return pending;
    }

    /** The next available chain, or null when none is pending. */
    DescriptorChain pop() throws VirtqueueException {
        if (pending() == 0) {
            return null;
        }
        int head = avail.get(LE16, 4 + 2L * (lastAvail % size)) & 0xffff;
        DescriptorChain chain = walker.walk(head);
        lastAvail = (lastAvail + 1) & 0xffff;
        return chain;
    }

    /**
     * With EVENT_IDX, asks the driver to kick once it makes {@link #lastAvail} available: writes
     * {@code avail_event}, then a full fence so the driver's later {@code avail.idx} is seen by
     * the caller's re-check ({@link #pending}). Without EVENT_IDX the driver always kicks.
     */
    void armKick() {
        if (eventIdx) {
            used.set(LE16, 4 + 8L * size, (short) lastAvail);
            VarHandle.fullFence();
        }
    }

    /** Puts {@code {id, len}} into the used ring and publishes it; returns the previous used idx. */
    int push(int head, int length) {
        int old = usedIdx;
        long at = 4 + 8L * (old % size);
        used.set(LE32, at, head);
        used.set(LE32, at + 4, length);
        VarHandle.releaseFence(); // the element is visible before the index that publishes it
        usedIdx = (old + 1) & 0xffff;
        used.set(LE16, 2, (short) usedIdx);
        return old;
    }

    /**
     * Whether the driver wants an interrupt for the used entries published since {@code oldUsed}:
     * with EVENT_IDX when {@code used.idx} passed {@code used_event} (vring_need_event); without,
     * unless the driver set VIRTQ_AVAIL_F_NO_INTERRUPT.
     */
    boolean needsNotification(int oldUsed) {
        VarHandle.fullFence(); // used.idx is published before the driver's used_event is read
        if (!eventIdx) {
            return (avail.get(LE16, 0) & AVAIL_F_NO_INTERRUPT) == 0;
        }
        int usedEvent = avail.get(LE16, 4 + 2L * size) & 0xffff;
        return ((usedIdx - usedEvent - 1) & 0xffff) < ((usedIdx - oldUsed) & 0xffff);
    }
}
