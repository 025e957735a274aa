package dev.skiff.virtiofs.server;

import dev.skiff.p9.fs.LinuxOpenFlags;
import dev.skiff.p9.fs.ReadOnlyRule;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.virtiofs.wire.FuseRequest;

/**
 * The read-only export rule of {@code p9.server.ReadOnly}, for FUSE requests: every request that
 * would change the export, and every open or create asking for write access, truncation,
 * creation or appending ({@link ReadOnlyRule}), is EROFS before the backend is asked, whatever
 * the guest's mount options say.
 */
final class ReadOnlyGuard {
    private ReadOnlyGuard() {}

    static void check(boolean readOnly, FuseRequest r) throws ErrnoException {
        if (readOnly && changes(r)) {
            throw new ErrnoException("change", "read-only export", Errno.EROFS);
        }
    }

    static boolean changes(FuseRequest r) {
        return switch (r) {
            case FuseRequest.Setattr m -> true;
            case FuseRequest.Symlink m -> true;
            case FuseRequest.Mknod m -> true;
            case FuseRequest.Mkdir m -> true;
            case FuseRequest.Unlink m -> true;
            case FuseRequest.Rename m -> true;
            case FuseRequest.Link m -> true;
            case FuseRequest.Write m -> true;
            case FuseRequest.Setxattr m -> true;
            case FuseRequest.Removexattr m -> true;
            case FuseRequest.Create m -> true;
            case FuseRequest.Open m -> ReadOnlyRule.opensForChange(LinuxOpenFlags.toDotl(m.flags()));
            default -> false;
        };
    }
}
