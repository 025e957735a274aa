package dev.skiff.p9.fs.replay;

import dev.skiff.p9.fs.DirentSink;
import dev.skiff.p9.fs.OpenFile;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;

/** The open file a replayed create or open-for-writing gets: the guest only closes it. */
enum NoFile implements OpenFile {
    INSTANCE;

    public byte[] read(long offset, int count) throws ErrnoException {
        throw new ErrnoException("read", "a replayed open", Errno.EBADF);
    }

    public int write(long offset, byte[] data) throws ErrnoException {
        throw new ErrnoException("write", "a replayed open", Errno.EBADF);
    }

    public void readdir(long offset, int budget, DirentSink sink) throws ErrnoException {
        throw new ErrnoException("readdir", "a replayed open", Errno.ENOTDIR);
    }

    public void fsync(boolean datasync) {}

    public boolean tryLock(int type, long start, long length) {
        return true;
    }

    public LockInfo testLock(int type, long start, long length) {
        return null;
    }

    public void close() {}
}
