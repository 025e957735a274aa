package dev.skiff.p9.fs.passthrough;

import dev.skiff.p9.wire.P9;
import dev.skiff.sys.OpenFlags;

/**
 * Translates P9_DOTL open flags (include/net/9p/9p.h) into the host's O_* values, which differ
 * on arm64. Every Linux open flag is carried: APPEND, TRUNC, EXCL, NOFOLLOW, DIRECTORY, SYNC,
 * DSYNC, NOATIME, DIRECT, NONBLOCK. CLOEXEC is always set on the server's own descriptors;
 * NOCTTY is always set (a server must never acquire a terminal); FASYNC is dropped (no signal
 * can reach the client), as QEMU's get_dotl_openflags() does.
 */
final class HostFlags {
    private HostFlags() {}

    static int of(int dotl) {
        int f = dotl & P9.DOTL_NOACCESS;
        if (f == P9.DOTL_NOACCESS) {
            f = OpenFlags.O_RDONLY;
        }
        f |= bit(dotl, P9.DOTL_CREATE, OpenFlags.O_CREAT);
        f |= bit(dotl, P9.DOTL_EXCL, OpenFlags.O_EXCL);
        f |= bit(dotl, P9.DOTL_TRUNC, OpenFlags.O_TRUNC);
        f |= bit(dotl, P9.DOTL_APPEND, OpenFlags.O_APPEND);
        f |= bit(dotl, P9.DOTL_NONBLOCK, OpenFlags.O_NONBLOCK);
        f |= bit(dotl, P9.DOTL_DSYNC, OpenFlags.O_DSYNC);
        f |= bit(dotl, P9.DOTL_DIRECT, OpenFlags.O_DIRECT);
        f |= bit(dotl, P9.DOTL_LARGEFILE, OpenFlags.O_LARGEFILE);
        f |= bit(dotl, P9.DOTL_DIRECTORY, OpenFlags.O_DIRECTORY);
        f |= bit(dotl, P9.DOTL_NOFOLLOW, OpenFlags.O_NOFOLLOW);
        f |= bit(dotl, P9.DOTL_NOATIME, OpenFlags.O_NOATIME);
        f |= bit(dotl, P9.DOTL_SYNC, OpenFlags.O_SYNC);
        return f | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC;
    }

    private static int bit(int dotl, int p9, int host) {
        return (dotl & p9) != 0 ? host : 0;
    }
}
