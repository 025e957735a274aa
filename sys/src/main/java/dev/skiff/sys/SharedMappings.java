package dev.skiff.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * mmap(2) of a file with MAP_SHARED, and munmap(2) when the mapping is closed: how a vhost-user
 * back-end sees guest RAM that QEMU shares as memfd descriptors.
 *
 * <p>The segment of a {@link Mapping} belongs to a shared arena whose close unmaps it. Closing
 * the arena invalidates the segment and every slice of it, so a thread that still holds a slice
 * gets an {@link IllegalStateException} instead of touching memory that may be reused.
 */
public final class SharedMappings {
    private SharedMappings() {}

    /** mmap constants, include/uapi/asm-generic/mman-common.h and mman.h. */
    static final int PROT_READ = 0x1, PROT_WRITE = 0x2, MAP_SHARED = 0x01;

    private static final MethodHandle MMAP = Libc.downcall("mmap",
            FunctionDescriptor.of(Libc.C_LONG, Libc.C_POINTER, Libc.C_LONG, Libc.C_INT, Libc.C_INT, Libc.C_INT,
                    Libc.C_LONG));
    private static final MethodHandle MUNMAP = Libc.downcall("munmap",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_LONG, Libc.C_LONG));

    /** One shared mapping; {@link #close} unmaps it (once; later calls do nothing). */
    public static final class Mapping implements AutoCloseable {
        private final Arena arena;
        private final MemorySegment segment;

        private Mapping(Arena arena, MemorySegment segment) {
            this.arena = arena;
            this.segment = segment;
        }

        /** The mapped bytes; invalid once this mapping is closed. */
        public MemorySegment segment() {
            return segment;
        }

        @Override
        public synchronized void close() {
            if (arena.scope().isAlive()) {
                arena.close();
            }
        }
    }

    /**
     * mmap(NULL, length, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0): the first {@code length} bytes
     * of {@code fd}, read-write and shared with every other mapping of the file. The mapping
     * starts at file offset 0 so that no offset needs the page (or huge page) alignment mmap
     * demands; a caller wanting bytes further in slices the segment.
     */
    public static Mapping mapShared(int fd, long length) throws ErrnoException {
        if (length <= 0) {
            throw new IllegalArgumentException("mapping length must be positive: " + length);
        }
        long address = Libc.call("mmap", fd, (f, cs) -> (long) MMAP.invokeExact(cs, MemorySegment.NULL, length,
                PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0L));
        Arena arena = Arena.ofShared();
        MemorySegment segment = MemorySegment.ofAddress(address).reinterpret(length, arena, s -> unmap(address, length));
        return new Mapping(arena, segment);
    }

    /** munmap at arena close; it only fails for arguments mmap itself gave us, so a failure is a bug. */
    private static void unmap(long address, long length) {
        try {
            Libc.call("munmap", "a mapping of " + length + " bytes",
                    (f, cs) -> (int) MUNMAP.invokeExact(cs, address, length));
        } catch (ErrnoException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
