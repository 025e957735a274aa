package dev.skiff.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * memfd_create(2): anonymous files that live in memory. QEMU's {@code memory-backend-memfd} backs
 * guest RAM with one, and vhost-user hands its descriptor to the back-end, which maps it
 * ({@link SharedMappings}); the tests of a back-end play QEMU's part with one of their own.
 */
public final class MemFds {
    private MemFds() {}

    /** memfd_create flags, include/uapi/linux/memfd.h. */
    static final int MFD_CLOEXEC = 0x1;
    /** The kernel limits the name to 249 bytes (NAME_MAX minus the "memfd:" prefix). */
    public static final int MAX_NAME = 249;

    private static final MethodHandle MEMFD_CREATE = Libc.downcall("memfd_create",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_POINTER, Libc.C_INT));

    /** A new close-on-exec memfd named {@code name} (shown in /proc/self/fd), of {@code size} zero bytes. */
    public static int create(String name, long size) throws ErrnoException {
        if (name.isEmpty() || name.length() > MAX_NAME || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("memfd name must be 1 to " + MAX_NAME + " characters without NUL");
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative memfd size " + size);
        }
        int fd = (int) Libc.call("memfd_create", name,
                (f, cs) -> (int) MEMFD_CREATE.invokeExact(cs, f.str(name), MFD_CLOEXEC));
        try {
            Fds.ftruncate(fd, size);
            return fd;
        } catch (ErrnoException e) {
            Fds.closeQuietly(fd);
            throw e;
        }
    }
}
