package dev.skiff.virtiofs.server;

import dev.skiff.p9.fs.OpenFile;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * File handles (fh) to open files. Each handle counts its users: RELEASE drops the table's
 * reference, and the file is closed when the last request using it ends, so a READ racing a
 * RELEASE never reads a descriptor number that was closed and reused. An unknown fh is EBADF,
 * as virtiofsd answers.
 */
final class HandleTable {
    /** One open file; {@link #close} ends one use. */
    static final class Handle implements AutoCloseable {
        final long fh;
        final OpenFile file;
        final boolean dir;
        /** Set once a lock was taken through it: FLUSH then unlocks (see LockOps). */
        volatile boolean locked;
        private final AtomicInteger refs = new AtomicInteger(1);
        private volatile boolean released;

        Handle(long fh, OpenFile file, boolean dir) {
            this.fh = fh;
            this.file = file;
            this.dir = dir;
        }

        boolean released() {
            return released;
        }

        private boolean use() {
            for (int r = refs.get(); r > 0; r = refs.get()) {
                if (refs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() {
            if (refs.decrementAndGet() == 0) {
                file.close();
            }
        }
    }

    private final ConcurrentHashMap<Long, Handle> handles = new ConcurrentHashMap<>();
    private final AtomicLong nextFh = new AtomicLong(1);
    private final int max;

    HandleTable(int max) {
        this.max = max;
    }

    /** Takes {@code file} into the table; returns its fh. Closes it if the table is full. */
    long add(OpenFile file, boolean dir) throws ErrnoException {
        if (handles.size() >= max) {
            file.close();
            throw new ErrnoException("open", "file (" + max + " open)", Errno.EMFILE);
        }
        long fh = nextFh.getAndIncrement();
        handles.put(fh, new Handle(fh, file, dir));
        return fh;
    }

    /** The handle {@code fh} for one request's use; the caller closes it. */
    Handle acquire(long fh) throws ErrnoException {
        Handle h = handles.get(fh);
        if (h == null || !h.use()) {
            throw new ErrnoException("find", "file handle " + Long.toUnsignedString(fh), Errno.EBADF);
        }
        return h;
    }

    /** RELEASE: forgets {@code fh}; the file closes once no request uses it. */
    void release(long fh) throws ErrnoException {
        Handle h = handles.remove(fh);
        if (h == null) {
            throw new ErrnoException("release", "file handle " + Long.toUnsignedString(fh), Errno.EBADF);
        }
        h.released = true;
        h.close();
    }

    /** DESTROY or the session's end: releases every handle. */
    void clear() {
        for (Handle h : List.copyOf(handles.values())) {
            if (handles.remove(h.fh, h)) {
                h.released = true;
                h.close();
            }
        }
    }

    int size() {
        return handles.size();
    }
}
