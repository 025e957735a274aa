package dev.skiff.p9.fs;

import dev.skiff.p9.wire.P9;
import dev.skiff.sys.OpenFlags;

/**
 * The one table between P9_DOTL open flags (include/net/9p/9p.h, the asm-generic values) and
 * Linux O_* flags with this machine's values (which differ on arm64), both ways: passthrough
 * opens host files with {@link #fromDotl}, and the FUSE server reads the guest's flags (a KVM
 * guest is this machine's architecture) with {@link #toDotl}. The access mode is the same in
 * both; flags not in the table (CLOEXEC, NOCTTY, ASYNC, the kernel's FMODE bits) are dropped.
 */
public final class LinuxOpenFlags {
    private LinuxOpenFlags() {}

    /** {dotl, linux}; O_SYNC carries the O_DSYNC bit too, so a pair matches only with all its bits. */
    private static final int[][] PAIRS = {
            {P9.DOTL_CREATE, OpenFlags.O_CREAT}, {P9.DOTL_EXCL, OpenFlags.O_EXCL},
            {P9.DOTL_TRUNC, OpenFlags.O_TRUNC}, {P9.DOTL_APPEND, OpenFlags.O_APPEND},
            {P9.DOTL_NONBLOCK, OpenFlags.O_NONBLOCK}, {P9.DOTL_DSYNC, OpenFlags.O_DSYNC},
            {P9.DOTL_DIRECT, OpenFlags.O_DIRECT}, {P9.DOTL_LARGEFILE, OpenFlags.O_LARGEFILE},
            {P9.DOTL_DIRECTORY, OpenFlags.O_DIRECTORY}, {P9.DOTL_NOFOLLOW, OpenFlags.O_NOFOLLOW},
            {P9.DOTL_NOATIME, OpenFlags.O_NOATIME}, {P9.DOTL_SYNC, OpenFlags.O_SYNC}};

    /** The Linux flags for P9_DOTL flags; the access mode is copied as it is. */
    public static int fromDotl(int dotl) {
        int f = dotl & P9.DOTL_NOACCESS;
        for (int[] p : PAIRS) {
            if ((dotl & p[0]) == p[0]) {
                f |= p[1];
            }
        }
        return f;
    }

    /** The P9_DOTL flags for Linux flags; the access mode is copied as it is. */
    public static int toDotl(int linux) {
        int f = linux & OpenFlags.O_ACCMODE;
        for (int[] p : PAIRS) {
            if ((linux & p[1]) == p[1]) {
                f |= p[0];
            }
        }
        return f;
    }
}
