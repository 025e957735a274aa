package dev.skiff.sys;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * mount(2) and umount2(2). Every mount Skiff makes goes through {@link #mount}, which names the
 * source, the target and the type in its error (as Kata's {@code baremount} does).
 */
public final class Mounts {
    private Mounts() {}

    /** Flags from include/uapi/linux/mount.h. */
    public static final long MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8,
            MS_REMOUNT = 32, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_PRIVATE = 1 << 18,
            MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20, MS_RELATIME = 1 << 21;
    /** umount2 flags. */
    public static final int MNT_FORCE = 1, MNT_DETACH = 2;

    private static final MethodHandle MOUNT = Libc.downcall("mount", FunctionDescriptor.of(
            Libc.C_INT, Libc.C_POINTER, Libc.C_POINTER, Libc.C_POINTER, Libc.C_LONG, Libc.C_POINTER));
    private static final MethodHandle UMOUNT2 = Libc.downcall("umount2",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_POINTER, Libc.C_INT));

    /**
     * Mounts {@code source} on {@code target}.
     *
     * @param data file-system specific options, or null
     */
    public static void mount(String source, String target, String fsType, long flags, String data)
            throws ErrnoException {
        if (target == null || target.isEmpty()) {
            throw new IllegalArgumentException("mount target is empty");
        }
        Libc.call("mount", describe(source, target, fsType), (f, cs) -> (int) MOUNT.invokeExact(cs,
                f.strOrNull(source), f.str(target), f.strOrNull(fsType), flags, f.strOrNull(data)));
    }

    /** Unmounts {@code target} with umount2 flags such as {@link #MNT_DETACH}. */
    public static void unmount(String target, int flags) throws ErrnoException {
        Libc.call("unmount", target, (f, cs) -> (int) UMOUNT2.invokeExact(cs, f.str(target), flags));
    }

    private static String describe(String source, String target, String fsType) {
        return (fsType == null ? "" : fsType + " ") + (source == null ? "none" : source) + " on " + target;
    }
}
