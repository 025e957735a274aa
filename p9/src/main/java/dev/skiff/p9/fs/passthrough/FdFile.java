package dev.skiff.p9.fs.passthrough;

import dev.skiff.p9.fs.DirentSink;
import dev.skiff.p9.fs.OpenFile;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Locks;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A passthrough open file: a real descriptor opened with the client's flags. Locks are
 * open-file-description locks on it, so they conflict between fids, between clients and with
 * host processes (fcntl(2), "Open file description locks"). Fifos, sockets and character
 * devices, which cannot seek, are read and written at their current position (ESPIPE fallback).
 */
final class FdFile implements OpenFile {
    private final int fd;
    private volatile boolean closed;

    FdFile(int fd) {
        this.fd = fd;
    }

    @Override
    public byte[] read(long offset, int count) throws ErrnoException {
        NativeBuffers.Buffer b = NativeBuffers.borrow();
        try {
            int want = Math.min(count, NativeBuffers.SIZE);
            long n;
            try {
                n = Fds.pread(fd, b.segment(), want, offset);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ESPIPE) {
                    throw e;
                }
                n = Fds.read(fd, b.segment(), want);
            }
            return b.segment().asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        } finally {
            NativeBuffers.release(b);
        }
    }

    /** pread(2) straight into {@code into}, which must be native memory (guest memory is). */
    @Override
    public int read(long offset, MemorySegment into) throws ErrnoException {
        try {
            return (int) Fds.pread(fd, into, into.byteSize(), offset);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ESPIPE) {
                throw e;
            }
            return (int) Fds.read(fd, into, into.byteSize());
        }
    }

    @Override
    public int write(long offset, MemorySegment data) throws ErrnoException {
        try {
            return (int) Fds.pwrite(fd, data, data.byteSize(), offset);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ESPIPE) {
                throw e;
            }
            return (int) Fds.write(fd, data, data.byteSize());
        }
    }

    /**
     * Through /proc/self/fd: chmod of the magic link changes the file itself, whatever access
     * mode the descriptor was opened with.
     */
    @Override
    public boolean dropSetId() throws ErrnoException {
        int mode = dev.skiff.sys.Files.fstatx(fd).mode() & 07777;
        int kept = OpenFile.withoutSetId(mode);
        if (kept != mode) {
            dev.skiff.sys.Files.chmod("/proc/self/fd/" + fd, kept);
        }
        return true;
    }

    @Override
    public boolean truncate(long size) throws ErrnoException {
        Fds.ftruncate(fd, size);
        return true;
    }

    @Override
    public int write(long offset, byte[] data) throws ErrnoException {
        NativeBuffers.Buffer b = NativeBuffers.borrow();
        try {
            int len = Math.min(data.length, NativeBuffers.SIZE);
            MemorySegment.copy(data, 0, b.segment(), ValueLayout.JAVA_BYTE, 0, len);
            try {
                return (int) Fds.pwrite(fd, b.segment(), len, offset);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ESPIPE) {
                    throw e;
                }
                return (int) Fds.write(fd, b.segment(), len);
            }
        } finally {
            NativeBuffers.release(b);
        }
    }

    /**
     * getdents64 from cookie {@code offset}: lseek to it, read a buffer of {@code budget} bytes of
     * {@code struct linux_dirent64} (d_ino[8] d_off[8] d_reclen[2] d_type[1] d_name), and hand
     * the entries to the sink until it is full. The next call seeks to the last taken entry's
     * d_off, so nothing is lost.
     */
    @Override
    public synchronized void readdir(long offset, int budget, DirentSink sink) throws ErrnoException {
        NativeBuffers.Buffer b = NativeBuffers.borrow();
        try {
            Fds.lseek(fd, offset, Fds.SEEK_SET);
            long n = Fds.getdents64(fd, b.segment(), Math.min(Math.max(budget, 512), NativeBuffers.SIZE));
            // One bulk copy, then plain array parsing: cheap even before the JIT has warmed up.
            byte[] a = new byte[(int) n];
            MemorySegment.copy(b.segment(), ValueLayout.JAVA_BYTE, 0, a, 0, (int) n);
            for (int p = 0; p < n; ) {
                long ino = le64(a, p);
                long off = le64(a, p + 8);
                int reclen = (a[p + 16] & 0xff) | (a[p + 17] & 0xff) << 8;
                int dtype = a[p + 18] & 0xff;
                int nameStart = p + 19, nameEnd = nameStart;
                while (nameEnd < p + reclen && a[nameEnd] != 0) {
                    nameEnd++;
                }
                if (!sink.add(ino, dtype, off, a, nameStart, nameEnd - nameStart)) {
                    return;
                }
                p += reclen;
            }
        } finally {
            NativeBuffers.release(b);
        }
    }

    private static long le64(byte[] a, int p) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (a[p + i] & 0xff);
        }
        return v;
    }

    @Override
    public void fsync(boolean datasync) throws ErrnoException {
        Fds.fsync(fd, datasync);
    }

    @Override
    public boolean tryLock(int type, long start, long length) throws ErrnoException {
        return Locks.trySet(fd, (short) type, start, length);
    }

    @Override
    public LockInfo testLock(int type, long start, long length) throws ErrnoException {
        Locks.Flock f = Locks.get(fd, (short) type, start, length);
        return f.type() == Locks.F_UNLCK ? null : new LockInfo(f.type(), f.start(), f.length(), f.pid());
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                Fds.close(fd);
            } catch (ErrnoException ignored) {
                // the client already had its chance to fsync; close errors are not reportable at clunk
            }
        }
    }
}
