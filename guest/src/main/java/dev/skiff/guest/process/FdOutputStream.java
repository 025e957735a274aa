package dev.skiff.guest.process;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link OutputStream} over a raw, blocking descriptor with write(2); a write returns once
 * every byte is written. It shares no lock with an {@link FdInputStream} on the same descriptor.
 * Unbuffered: {@link #flush()} does nothing. A write to a pipe or socket with no reader fails
 * with EPIPE (the JVM ignores SIGPIPE). {@link #close()} closes the descriptor once.
 */
public final class FdOutputStream extends OutputStream {
    /** Bytes moved per write(2) at most. */
    static final int BUFFER = 64 * 1024;

    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final MemorySegment buffer = Arena.ofAuto().allocate(BUFFER);

    public FdOutputStream(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd);
        }
        this.fd = fd;
    }

    /** The descriptor this stream writes. */
    public int fd() {
        return fd;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        writeLock.lock();
        try {
            ensureOpen();
            while (len > 0) {
                int chunk = Math.min(len, BUFFER);
                MemorySegment.copy(b, off, buffer, ValueLayout.JAVA_BYTE, 0, chunk);
                for (int done = 0; done < chunk; ) {
                    try {
                        done += (int) Fds.write(fd, buffer.asSlice(done), chunk - done);
                    } catch (ErrnoException e) {
                        if (e.errno() != Errno.EINTR) {
                            throw e;
                        }
                    }
                }
                off += chunk;
                len -= chunk;
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Closes the descriptor, once; later calls do nothing. */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            Fds.close(fd);
        }
    }

    private void ensureOpen() throws IOException {
        if (closed.get()) {
            throw new IOException("stream on fd " + fd + " is closed");
        }
    }
}
