package dev.skiff.p9.server;

import dev.skiff.p9.wire.Rmessage.Rlerror;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;

/**
 * The one place where a failure becomes an Rlerror, as QEMU's pdu_complete() is for hw/9pfs:
 * an {@link ErrnoException} carries its errno to the client unchanged; anything else is a
 * server fault, reported as EIO and logged with its stack.
 */
final class Rlerrors {
    private Rlerrors() {}

    private static final System.Logger LOG = System.getLogger("dev.skiff.p9.server");

    static Rlerror of(Throwable t, Object request) {
        return new Rlerror(errno(t, request));
    }

    static int errno(Throwable t, Object request) {
        return switch (t) {
            case ErrnoException e -> e.errno();
            case UnsupportedOperationException e -> Errno.EOPNOTSUPP;
            case OutOfMemoryError e -> Errno.ENOMEM;
            default -> {
                LOG.log(System.Logger.Level.WARNING, "9P request " + request + " failed unexpectedly", t);
                yield Errno.EIO;
            }
        };
    }
}
