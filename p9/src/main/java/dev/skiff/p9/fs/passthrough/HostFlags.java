package dev.skiff.p9.fs.passthrough;

import dev.skiff.p9.fs.LinuxOpenFlags;
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
        int f = LinuxOpenFlags.fromDotl(dotl);
        if ((dotl & P9.DOTL_NOACCESS) == P9.DOTL_NOACCESS) {
            f &= ~OpenFlags.O_ACCMODE; // O_RDONLY
        }
        return f | OpenFlags.O_NOCTTY | OpenFlags.O_CLOEXEC;
    }
}
