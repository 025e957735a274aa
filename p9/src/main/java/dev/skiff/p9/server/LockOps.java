package dev.skiff.p9.server;

import java.io.IOException;
import dev.skiff.p9.fs.OpenFile;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Rmessage.Rgetlock;
import dev.skiff.p9.wire.Rmessage.Rlock;
import dev.skiff.p9.wire.Tmessage.Tgetlock;
import dev.skiff.p9.wire.Tmessage.Tlock;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import java.util.concurrent.TimeUnit;

/**
 * Tlock and Tgetlock: POSIX byte-range locks on the fid's open file (diod protocol.md;
 * Linux fs/9p/vfs_file.c v9fs_file_do_lock).
 *
 * <p>A blocking Tlock (P9_LOCK_FLAGS_BLOCK) is served by retrying the non-blocking lock with
 * a growing pause (1 ms up to 25 ms) on the request's virtual thread, rather than by a blocking
 * F_OFD_SETLKW that would pin a carrier thread and could not be cancelled. The pause ends early
 * when the request is flushed, and the request then ends with no reply: a blocked Tlock can be
 * flushed, which is how the Linux client reports a signal to a process waiting in fcntl(F_SETLKW).
 */
final class LockOps {
    private LockOps() {}

    private static final long FIRST_PAUSE = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_PAUSE = TimeUnit.MILLISECONDS.toNanos(25);

    static Rlock lock(Session s, Request r, Tlock m) throws IOException {
        Fid f = s.fid(r, m.fid());
        OpenFile file = f.open();
        int type = lockType(m.lockType());
        checkRange(m.start(), m.length());
        boolean block = (m.flags() & P9.LOCK_FLAGS_BLOCK) != 0 && type != OpenFile.F_UNLCK;
        long pause = FIRST_PAUSE;
        while (true) {
            if (file.tryLock(type, m.start(), m.length())) {
                return new Rlock(P9.LOCK_SUCCESS);
            }
            if (!block) {
                return new Rlock(P9.LOCK_BLOCKED);
            }
            r.park(s, pause);
            pause = Math.min(pause * 2, MAX_PAUSE);
        }
    }

    /**
     * Tgetlock: the conflicting lock if there is one, else the request echoed with type UNLCK.
     * Linux's client always asks with type UNLCK (fs/9p/vfs_file.c v9fs_file_getlock sets
     * {@code glock.type = P9_LOCK_TYPE_UNLCK} whatever F_GETLK asked), so UNLCK is answered as a
     * test for a write lock: it reports any lock that overlaps the range.
     */
    static Rgetlock getlock(Session s, Request r, Tgetlock m) throws IOException {
        Fid f = s.fid(r, m.fid());
        OpenFile file = f.open();
        int type = lockType(m.lockType());
        if (type == OpenFile.F_UNLCK) {
            type = OpenFile.F_WRLCK;
        }
        checkRange(m.start(), m.length());
        OpenFile.LockInfo held = file.testLock(type, m.start(), m.length());
        if (held == null) {
            return new Rgetlock(P9.LOCK_TYPE_UNLCK, m.start(), m.length(), m.procId(), m.clientId());
        }
        return new Rgetlock(held.type(), held.start(), held.length(), held.pid(), "");
    }

    private static int lockType(int p9type) throws IOException {
        return switch (p9type) {
            case P9.LOCK_TYPE_RDLCK -> OpenFile.F_RDLCK;
            case P9.LOCK_TYPE_WRLCK -> OpenFile.F_WRLCK;
            case P9.LOCK_TYPE_UNLCK -> OpenFile.F_UNLCK;
            default -> throw new ErrnoException("lock", "type " + p9type, Errno.EINVAL);
        };
    }

    private static void checkRange(long start, long length) throws IOException {
        if (start < 0 || length < 0) {
            throw new ErrnoException("lock", "range " + start + "+" + length, Errno.EINVAL);
        }
    }
}
