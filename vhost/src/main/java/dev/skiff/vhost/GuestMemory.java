package dev.skiff.vhost;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.SharedMappings;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The guest RAM the front-end shared with SET_MEM_TABLE, mapped MAP_SHARED, and the two
 * translations a back-end needs: guest-physical addresses (descriptor {@code addr} fields) and
 * front-end user addresses (SET_VRING_ADDR, as "Vring address description" says, without
 * VIRTIO_F_IOMMU_PLATFORM) to segments bounded by the range asked for.
 *
 * <p>A range not wholly inside one region is refused: the segments handed out can never reach
 * outside a mapping. Each region is mapped from file offset 0 over {@code mmap_offset + size}
 * bytes and sliced at {@code mmap_offset}, as QEMU's libvhost-user does, so that no offset has to
 * meet mmap's (huge) page alignment. {@link #close} unmaps everything; segments from a closed
 * table throw {@link IllegalStateException} on access rather than touch unmapped memory.
 */
public final class GuestMemory implements AutoCloseable {
    private record Region(MemoryRegionInfo info, SharedMappings.Mapping mapping, MemorySegment bytes) {}

    private final List<Region> regions;

    private GuestMemory(List<Region> regions) {
        this.regions = regions;
    }

    /**
     * Maps {@code regions} from {@code fds} (one each, same order) and closes the descriptors: a
     * mapping keeps its file. A region whose end lies past the end of its file is refused, since
     * touching such pages would kill the process with SIGBUS. (A front-end that shrinks the file
     * afterwards can still do that; memfd seals would be the cure, QEMU sets none.)
     */
    public static GuestMemory map(List<MemoryRegionInfo> regions, int[] fds) throws VhostUserException {
        if (regions.size() != fds.length) {
            throw new IllegalArgumentException(regions.size() + " regions and " + fds.length + " descriptors");
        }
        List<Region> mapped = new ArrayList<>();
        try {
            for (int i = 0; i < regions.size(); i++) {
                MemoryRegionInfo info = regions.get(i);
                checkDisjoint(regions, i);
                long length = info.mmapOffset() + info.size();
                long fileSize = Fds.lseek(fds[i], 0, SEEK_END);
                if (Long.compareUnsigned(length, fileSize) > 0) {
                    throw new VhostUserException(VhostUserException.Kind.MALFORMED, "memory region " + i + " ends at byte "
                            + length + " of a file of " + fileSize);
                }
                SharedMappings.Mapping mapping = SharedMappings.mapShared(fds[i], length);
                mapped.add(new Region(info, mapping, mapping.segment().asSlice(info.mmapOffset(), info.size())));
            }
            return new GuestMemory(List.copyOf(mapped));
        } catch (ErrnoException e) {
            mapped.forEach(r -> r.mapping().close());
            throw new VhostUserException(VhostUserException.Kind.INVALID_STATE, "failed to map guest memory: "
                    + e.getMessage(), e);
        } catch (VhostUserException | RuntimeException e) {
            mapped.forEach(r -> r.mapping().close());
            throw e;
        } finally {
            for (int fd : fds) {
                Fds.closeQuietly(fd);
            }
        }
    }

    private static final int SEEK_END = 2;

    /** Two regions that overlap in either address space would make a translation ambiguous. */
    private static void checkDisjoint(List<MemoryRegionInfo> regions, int i) throws VhostUserException {
        MemoryRegionInfo a = regions.get(i);
        for (int j = 0; j < i; j++) {
            MemoryRegionInfo b = regions.get(j);
            if (overlap(a.guestPhysAddress(), b.guestPhysAddress(), a.size(), b.size())
                    || overlap(a.userspaceAddress(), b.userspaceAddress(), a.size(), b.size())) {
                throw new VhostUserException(VhostUserException.Kind.MALFORMED, "memory regions " + j + " and " + i + " overlap");
            }
        }
    }

    private static boolean overlap(long a, long b, long aSize, long bSize) {
        return Long.compareUnsigned(a, b + bSize) < 0 && Long.compareUnsigned(b, a + aSize) < 0;
    }

    /** The {@code length} bytes at guest-physical address {@code address}. */
    public MemorySegment fromGuest(long address, long length) throws GuestMemoryException {
        for (Region r : regions) {
            MemorySegment s = slice(r, r.info().guestPhysAddress(), address, length);
            if (s != null) {
                return s;
            }
        }
        throw outside("guest-physical", address, length);
    }

    /** The {@code length} bytes at front-end user address {@code address} (ring addresses). */
    public MemorySegment fromFrontend(long address, long length) throws GuestMemoryException {
        for (Region r : regions) {
            MemorySegment s = slice(r, r.info().userspaceAddress(), address, length);
            if (s != null) {
                return s;
            }
        }
        throw outside("front-end", address, length);
    }

    /** The slice of {@code r} for [address, address+length), or null when it is not all inside. */
    private static MemorySegment slice(Region r, long start, long address, long length) {
        if (length < 0) {
            return null;
        }
        long offset = address - start; // unsigned: a huge value when address < start
        long size = r.info().size();
        if (Long.compareUnsigned(offset, size) > 0 || Long.compareUnsigned(length, size - offset) > 0) {
            return null;
        }
        if (offset == size && length == 0) {
            return null; // an empty range at the very end is not "in" the region
        }
        return r.bytes().asSlice(offset, length);
    }

    private static GuestMemoryException outside(String space, long address, long length) {
        return new GuestMemoryException(Long.toUnsignedString(length) + " bytes at " + space + " address 0x"
                + Long.toHexString(address) + " are not inside one memory region");
    }

    /** How many regions are mapped. */
    public int regionCount() {
        return regions.size();
    }

    /** Unmaps every region. */
    @Override
    public void close() {
        regions.forEach(r -> r.mapping().close());
    }
}
