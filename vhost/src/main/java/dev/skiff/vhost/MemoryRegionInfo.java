package dev.skiff.vhost;

/**
 * One region of a SET_MEM_TABLE ("Memory region description"): {@code u64 guest_phys_addr,
 * u64 memory_size, u64 userspace_addr, u64 mmap_offset}. {@code userspaceAddress} is where QEMU
 * has the region mapped; ring addresses in SET_VRING_ADDR are in that space.
 */
public record MemoryRegionInfo(long guestPhysAddress, long size, long userspaceAddress, long mmapOffset) {
    public static final int SIZE = 32;

    /** Whether the end of each range fits in 64 bits and the region is not empty. */
    boolean wellFormed() {
        return size > 0 && Long.compareUnsigned(guestPhysAddress + size, guestPhysAddress) > 0
                && Long.compareUnsigned(userspaceAddress + size, userspaceAddress) > 0
                && mmapOffset >= 0 && mmapOffset + size > 0;
    }
}
