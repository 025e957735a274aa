package dev.skiff.vhost;

import static dev.skiff.vhost.Descriptor.LE16;
import static dev.skiff.vhost.Descriptor.LE32;
import static dev.skiff.vhost.Descriptor.LE64;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.MemFds;
import dev.skiff.sys.SharedMappings;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * QEMU's side of guest RAM for the tests: a memfd it maps itself, described to the back-end as
 * one region at guest-physical {@link #GPA} and front-end address {@link #UVA}, and the driver's
 * work in it (descriptors, the avail ring) done by hand. The region covers {@link #REGION_SIZE}
 * bytes of a larger file; the rest is a canary that nothing may touch.
 */
final class GuestRam implements AutoCloseable {
    static final long GPA = 0x100000, UVA = 0x7f12_3400_0000L;
    static final long REGION_SIZE = 1 << 20, FILE_SIZE = REGION_SIZE + 4096;
    static final int QUEUE_SIZE = 8;
    /** Offsets of the rings and of buffer space inside the region. */
    static final long DESC = 0x1000, AVAIL = 0x2000, USED = 0x3000, BUFFERS = 0x10000;
    static final byte CANARY = (byte) 0xA5;

    final int fd;
    final SharedMappings.Mapping mapping;
    final MemorySegment ram;
    private int availIdx;

    GuestRam() throws ErrnoException {
        fd = MemFds.create("guest-ram", FILE_SIZE);
        mapping = SharedMappings.mapShared(fd, FILE_SIZE);
        ram = mapping.segment();
        ram.asSlice(REGION_SIZE).fill(CANARY);
    }

    MemoryRegionInfo region() {
        return new MemoryRegionInfo(GPA, REGION_SIZE, UVA, 0);
    }

    FrontendRequest.SetVringAddr addr(int index) {
        return new FrontendRequest.SetVringAddr(index, 0, UVA + DESC, UVA + USED, UVA + AVAIL, 0);
    }

    /** Writes descriptor {@code i} of the table at region offset {@code table}. */
    void desc(long table, int i, long gpa, int len, int flags, int next) {
        long at = table + 16L * i;
        ram.set(LE64, at, gpa);
        ram.set(LE32, at + 8, len);
        ram.set(LE16, at + 12, (short) flags);
        ram.set(LE16, at + 14, (short) next);
    }

    void desc(int i, long gpa, int len, int flags, int next) {
        desc(DESC, i, gpa, len, flags, next);
    }

    /** Makes chain {@code head} available and publishes the new avail.idx. */
    void makeAvailable(int head) {
        ram.set(LE16, AVAIL + 4 + 2L * (availIdx % QUEUE_SIZE), (short) head);
        availIdx = (availIdx + 1) & 0xffff;
        ram.set(LE16, AVAIL + 2, (short) availIdx);
    }

    void setAvailIdx(int idx) {
        availIdx = idx;
        ram.set(LE16, AVAIL + 2, (short) idx);
    }

    void setUsedEvent(int value) {
        ram.set(LE16, AVAIL + 4 + 2L * QUEUE_SIZE, (short) value);
    }

    int availEvent() {
        return ram.get(LE16, USED + 4 + 8L * QUEUE_SIZE) & 0xffff;
    }

    int usedIdx() {
        return ram.get(LE16, USED + 2) & 0xffff;
    }

    /** Used element {@code i}: {id, len}. */
    long[] used(int i) {
        long at = USED + 4 + 8L * (i % QUEUE_SIZE);
        return new long[] {ram.get(LE32, at), ram.get(LE32, at + 4)};
    }

    void write(long offset, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(b, 0, ram, ValueLayout.JAVA_BYTE, offset, b.length);
    }

    String read(long offset, int length) {
        return new String(ram.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    boolean canaryIntact() {
        byte[] tail = ram.asSlice(REGION_SIZE).toArray(ValueLayout.JAVA_BYTE);
        for (byte b : tail) {
            if (b != CANARY) {
                return false;
            }
        }
        return true;
    }

    /** The table the back-end maps: a fresh duplicate of our descriptor, which map() closes. */
    GuestMemory mapForBackend() throws Exception {
        return GuestMemory.map(List.of(region()), new int[] {dup()});
    }

    int dup() throws Exception {
        return Fds.openat2(Fds.AT_FDCWD, Fds.procPath(fd), dev.skiff.sys.OpenFlags.O_RDWR, 0, 0);
    }

    @Override
    public void close() {
        mapping.close();
        Fds.closeQuietly(fd);
    }
}
