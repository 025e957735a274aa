package dev.skiff.guest.process;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@link InputStream} over a raw, blocking descriptor (a pipe, a socket, a pty master) with
 * read(2). It shares no lock with anything that writes the same descriptor, so one thread may
 * block here while another writes through an {@link FdOutputStream} on the same fd (a
 * FileChannel cannot: its reads and writes share one position lock).
 *
 * <p>A read blocks its thread in the kernel: use a platform thread, since a virtual thread would
 * pin its carrier. {@link #close()} closes the descriptor once; it does not wake a thread
 * blocked in read(2) (for a pipe, closing the write end does). When an {@link FdOutputStream}
 * shares the descriptor, close only one of the two.
 */
public final class FdInputStream extends InputStream {
    /** Bytes moved per read(2). */
    static final int BUFFER = 64 * 1024;

    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReentrantLock readLock = new ReentrantLock();
    /** Freed by the garbage collector, never explicitly: a close racing a read cannot free it under the read. */
    private final MemorySegment buffer = Arena.ofAuto().allocate(BUFFER);

    public FdInputStream(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("fd " + fd);
        }
        this.fd = fd;
    }

    /** The descriptor this stream reads. */
    public int fd() {
        return fd;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    /** One read(2) of up to {@code len} bytes; -1 at end of file (read(2) returned 0). */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        readLock.lock();
        try {
            ensureOpen();
            int want = Math.min(len, BUFFER);
            while (true) {
                long n;
                try {
                    n = Fds.read(fd, buffer, want);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.EINTR) {
                        continue;
                    }
                    throw e;
                }
                if (n == 0) {
                    return -1;
                }
                MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
                return (int) n;
            }
        } finally {
            readLock.unlock();
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
