package dev.skiff.virtiofs.server;

import dev.skiff.p9.fs.OpenFile;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.virtiofs.wire.FileLock;
import dev.skiff.virtiofs.wire.Fuse;
import dev.skiff.virtiofs.wire.FuseReply;
import dev.skiff.virtiofs.wire.FuseRequest;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * GETLK, SETLK, SETLKW and the unlock at FLUSH, mapped onto {@link OpenFile#tryLock} and
 * {@link OpenFile#testLock} as the 9P server's LockOps does. Locks belong to the open file (the
 * fh), not to the guest's lock owner: two handles of one guest process conflict, as two fids do
 * on the 9P path.
 *
 * <p>SETLKW is served by retrying the non-blocking lock with a growing pause (1 ms up to 25 ms)
 * on the request's virtual thread, never by a blocking fcntl that would pin a carrier thread and
 * could not be cancelled. The wait ends with EINTR when the handle is released or the session ends.
 *
 * <p>FLUSH is how the kernel reports close(2) of a descriptor (fuse_flush; fuse_setlk leaves
 * "unlock on close" to it), so a handle that ever took a lock is unlocked whole at FLUSH.
 */
final class LockOps {
    private LockOps() {}

    private static final long FIRST_PAUSE = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_PAUSE = TimeUnit.MILLISECONDS.toNanos(25);

    /** The conflicting lock, or the request's range with type F_UNLCK when none conflicts. */
    static FuseReply getlk(FuseSession s, FuseRequest.Getlk m) throws IOException {
        FileLock l = m.lock();
        int type = checkType(l.type());
        long length = length(l);
        try (HandleTable.Handle f = s.handles.acquire(m.fh())) {
            OpenFile.LockInfo held = f.file.testLock(type == OpenFile.F_UNLCK ? OpenFile.F_WRLCK : type, l.start(), length);
            if (held == null) {
                return new FuseReply.LkOut(new FileLock(l.start(), l.end(), OpenFile.F_UNLCK, 0));
            }
            long end = held.length() == 0 ? Fuse.OFFSET_MAX : held.start() + held.length() - 1;
            return new FuseReply.LkOut(new FileLock(held.start(), end, held.type(), held.pid()));
        }
    }

    static FuseReply setlk(FuseSession s, FuseRequest.Setlk m) throws IOException {
        if ((m.lkFlags() & Fuse.LK_FLOCK) != 0) {
            throw new ErrnoException("lock", "flock (FLOCK_LOCKS not offered)", Errno.ENOSYS);
        }
        FileLock l = m.lock();
        int type = checkType(l.type());
        long length = length(l);
        try (HandleTable.Handle f = s.handles.acquire(m.fh())) {
            long pause = FIRST_PAUSE;
            while (true) {
                if (f.file.tryLock(type, l.start(), length)) {
                    if (type != OpenFile.F_UNLCK) {
                        f.locked = true;
                    }
                    return FuseSession.EMPTY;
                }
                if (!m.sleep()) {
                    throw new ErrnoException("lock", "range held", Errno.EAGAIN);
                }
                if (f.released() || s.closed()) {
                    throw new ErrnoException("lock", "handle released while waiting", Errno.EINTR);
                }
                try {
                    TimeUnit.NANOSECONDS.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ErrnoException("lock", "interrupted", Errno.EINTR);
                }
                pause = Math.min(pause * 2, MAX_PAUSE);
            }
        }
    }

    static FuseReply flush(FuseSession s, FuseRequest.Flush m) throws IOException {
        try (HandleTable.Handle f = s.handles.acquire(m.fh())) {
            if (f.locked) {
                f.file.tryLock(OpenFile.F_UNLCK, 0, 0);
                f.locked = false;
            }
            return FuseSession.EMPTY;
        }
    }

    private static int checkType(int type) throws ErrnoException {
        if (type != OpenFile.F_RDLCK && type != OpenFile.F_WRLCK && type != OpenFile.F_UNLCK) {
            throw new ErrnoException("lock", "type " + type, Errno.EINVAL);
        }
        return type;
    }

    /** fuse_file_lock's inclusive end as a length; OFFSET_MAX (to the end of the file) is 0. */
    private static long length(FileLock l) throws ErrnoException {
        if (l.start() < 0 || l.end() < 0 || l.end() < l.start()) {
            throw new ErrnoException("lock", "range " + Long.toUnsignedString(l.start()) + ".."
                    + Long.toUnsignedString(l.end()), Errno.EINVAL);
        }
        return l.end() == Fuse.OFFSET_MAX ? 0 : l.end() - l.start() + 1;
    }
}
