package dev.skiff.vhost;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks one descriptor chain from its head and checks everything a driver could get wrong
 * ("The Virtqueue Descriptor Table", "Indirect Descriptors"):
 * <ul>
 * <li>every index is below the table's size;</li>
 * <li>a chain visits at most as many descriptors as its table has, so a loop ends in an error;</li>
 * <li>INDIRECT only when negotiated, only at the head (as QEMU's own virtqueue_pop), never with
 *     NEXT, its table a non-empty multiple of 16 bytes of at most {@link Limits#MAX_INDIRECT_ENTRIES}
 *     entries inside guest memory, and no INDIRECT inside it;</li>
 * <li>no readable descriptor after a writable one;</li>
 * <li>every buffer inside one memory region, and the total at most {@link Limits#MAX_CHAIN_BYTES}.</li>
 * </ul>
 */
final class ChainWalker {
    private final GuestMemory memory;
    private final MemorySegment table;
    private final int queueSize;
    private final boolean indirectAllowed;

    ChainWalker(GuestMemory memory, MemorySegment table, int queueSize, boolean indirectAllowed) {
        this.memory = memory;
        this.table = table;
        this.queueSize = queueSize;
        this.indirectAllowed = indirectAllowed;
    }

    DescriptorChain walk(int head) throws VirtqueueException {
        if (head >= queueSize) {
            throw new VirtqueueException("head descriptor " + head + " of a queue of " + queueSize);
        }
        List<MemorySegment> readable = new ArrayList<>();
        List<MemorySegment> writable = new ArrayList<>();
        MemorySegment current = table;
        int limit = queueSize;
        boolean indirect = false;
        int index = head;
        int visited = 0;
        long total = 0;
        while (true) {
            if (++visited > limit) {
                throw new VirtqueueException("descriptor chain from " + head + " is longer than its table of " + limit
                        + " (a loop)");
            }
            Descriptor d = Descriptor.read(current, index);
            if (d.has(Descriptor.F_INDIRECT)) {
                if (indirect) {
                    throw new VirtqueueException("an INDIRECT descriptor inside the indirect table of chain " + head);
                }
                current = indirectTable(head, visited, d);
                limit = (int) (d.length() / Descriptor.SIZE);
                indirect = true;
                index = 0;
                visited = 0;
                continue;
            }
            MemorySegment bytes;
            try {
                bytes = memory.fromGuest(d.address(), d.length());
            } catch (GuestMemoryException e) {
                throw new VirtqueueException("descriptor " + index + " of chain " + head + ": " + e.getMessage(), e);
            }
            total += d.length();
            if (total > Limits.MAX_CHAIN_BYTES) {
                throw new VirtqueueException("chain " + head + " holds more than " + Limits.MAX_CHAIN_BYTES + " bytes");
            }
            if (d.has(Descriptor.F_WRITE)) {
                writable.add(bytes);
            } else if (!writable.isEmpty()) {
                throw new VirtqueueException("a device-readable descriptor after a device-writable one in chain " + head);
            } else {
                readable.add(bytes);
            }
            if (!d.has(Descriptor.F_NEXT)) {
                return new DescriptorChain(head, readable, writable);
            }
            index = d.next();
            if (index >= limit) {
                throw new VirtqueueException("next index " + index + " in chain " + head + " of a table of " + limit);
            }
        }
    }

    private MemorySegment indirectTable(int head, int visited, Descriptor d) throws VirtqueueException {
        if (!indirectAllowed) {
            throw new VirtqueueException("an INDIRECT descriptor in chain " + head + ", but INDIRECT_DESC was not negotiated");
        }
        if (visited != 1 || d.has(Descriptor.F_NEXT)) {
            throw new VirtqueueException("an INDIRECT descriptor that is not alone at the head of chain " + head);
        }
        long length = d.length();
        if (length == 0 || length % Descriptor.SIZE != 0 || length / Descriptor.SIZE > Limits.MAX_INDIRECT_ENTRIES) {
            throw new VirtqueueException("an indirect table of " + length + " bytes in chain " + head
                    + " (a non-empty multiple of 16, at most " + Limits.MAX_INDIRECT_ENTRIES + " entries)");
        }
        try {
            return memory.fromGuest(d.address(), length);
        } catch (GuestMemoryException e) {
            throw new VirtqueueException("indirect table of chain " + head + ": " + e.getMessage(), e);
        }
    }
}
