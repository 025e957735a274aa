package dev.skiff.p9.server;

import dev.skiff.p9.fs.ReadOnlyRule;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Tmessage;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;

/**
 * The server-side guard of read-only exports: every request that would change the export is
 * refused with EROFS before any backend is asked, whatever the guest's mount options say.
 * (Twrite to a file and Tremove are checked in their handlers, since writes to an auth fid and
 * the clunk half of Tremove must still happen.)
 */
final class ReadOnly {
    private ReadOnly() {}

    static void check(Export export, Tmessage t) throws ErrnoException {
        if (export.readOnly() && changes(t)) {
            throw new ErrnoException("change", "read-only export " + export.path(), Errno.EROFS);
        }
    }

    static boolean changes(Tmessage t) {
        return switch (t) {
            case Tmessage.Tlcreate m -> true;
            case Tmessage.Tsymlink m -> true;
            case Tmessage.Tmknod m -> true;
            case Tmessage.Tmkdir m -> true;
            case Tmessage.Tlink m -> true;
            case Tmessage.Trename m -> true;
            case Tmessage.Trenameat m -> true;
            case Tmessage.Tunlinkat m -> true;
            case Tmessage.Tsetattr m -> true;
            case Tmessage.Txattrcreate m -> true;
            case Tmessage.Tlopen m -> writes(m.flags());
            default -> false;
        };
    }

    /** True if P9_DOTL open flags ask for write access, truncation, creation or appending. */
    static boolean writes(int dotl) {
        return ReadOnlyRule.opensForChange(dotl);
    }
}
