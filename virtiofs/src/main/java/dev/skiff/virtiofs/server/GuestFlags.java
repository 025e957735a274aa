package dev.skiff.virtiofs.server;

import dev.skiff.p9.wire.P9;
import dev.skiff.sys.OpenFlags;

/**
 * Turns the guest's Linux open flags (FUSE carries {@code file->f_flags} as they are; the guest is
 * the host's architecture under KVM, so the host's O_* values read them) into the P9_DOTL flags
 * {@link dev.skiff.p9.fs.FileSystem#open} takes, the inverse of passthrough's HostFlags. Every flag
 * the 9P path carries is carried (O_DIRECT, O_SYNC, O_NOATIME ...); the rest (O_CLOEXEC, O_ASYNC,
 * the kernel's internal FMODE bits) mean nothing for the server's descriptor and are dropped.
 */
final class GuestFlags {
    private GuestFlags() {}

    static int toDotl(int linux) {
        int f = linux & OpenFlags.O_ACCMODE;
        f |= bit(linux, OpenFlags.O_CREAT, P9.DOTL_CREATE);
        f |= bit(linux, OpenFlags.O_EXCL, P9.DOTL_EXCL);
        f |= bit(linux, OpenFlags.O_TRUNC, P9.DOTL_TRUNC);
        f |= bit(linux, OpenFlags.O_APPEND, P9.DOTL_APPEND);
        f |= bit(linux, OpenFlags.O_NONBLOCK, P9.DOTL_NONBLOCK);
        f |= bit(linux, OpenFlags.O_DSYNC, P9.DOTL_DSYNC);
        f |= bit(linux, OpenFlags.O_SYNC & ~OpenFlags.O_DSYNC, P9.DOTL_SYNC);
        f |= bit(linux, OpenFlags.O_DIRECT, P9.DOTL_DIRECT);
        f |= bit(linux, OpenFlags.O_LARGEFILE, P9.DOTL_LARGEFILE);
        f |= bit(linux, OpenFlags.O_DIRECTORY, P9.DOTL_DIRECTORY);
        f |= bit(linux, OpenFlags.O_NOFOLLOW, P9.DOTL_NOFOLLOW);
        f |= bit(linux, OpenFlags.O_NOATIME, P9.DOTL_NOATIME);
        return f;
    }

    private static int bit(int linux, int host, int dotl) {
        return (linux & host) != 0 ? dotl : 0;
    }
}
