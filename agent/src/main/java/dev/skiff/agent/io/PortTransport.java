package dev.skiff.agent.io;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.ttrpc.Transport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * ttrpc connections over one virtio-serial port, one host connection after another.
 *
 * <p>The port is read and written through raw read(2)/write(2) on one fd: a FileChannel would
 * make a write wait for a blocked read (they share its position lock). A read of 0 bytes means the
 * host has no connection open: the current connection ends there, and {@link #awaitConnection}
 * waits for the next host (the engine restarting, say) without closing the port.
 */
public final class PortTransport {
    /** How often to look for a new host connection on an idle port (reads return 0 at once). */
    static final long IDLE_POLL_MILLIS = 50;

    private final int fd;

    public PortTransport(int fd) {
        this.fd = fd;
    }

    /** Blocks until the host sends its first bytes; returns a transport that starts with them. */
    public Transport awaitConnection() throws IOException, InterruptedException {
        byte[] first = new byte[64 * 1024];
        while (true) {
            int n = readInto(first, 0, first.length);
            if (n > 0) {
                InputStream in = new PortIn(java.util.Arrays.copyOf(first, n));
                return new Transport(in, new PortOut(), () -> { /* the port stays open for the next host */ });
            }
            Thread.sleep(IDLE_POLL_MILLIS);
        }
    }

    private int readInto(byte[] b, int off, int len) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(len);
            while (true) {
                try {
                    long n = Fds.read(fd, buf, len);
                    MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
                    return (int) n;
                } catch (ErrnoException e) {
                    if (e.errno() != Errno.EINTR) {
                        throw e;
                    }
                }
            }
        }
    }

    private final class PortIn extends InputStream {
        private byte[] pending;
        private int pos;
        private boolean eof;

        PortIn(byte[] first) {
            this.pending = first;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            if (pending != null) {
                int n = Math.min(len, pending.length - pos);
                System.arraycopy(pending, pos, b, off, n);
                pos += n;
                if (pos == pending.length) {
                    pending = null;
                }
                return n;
            }
            if (eof) {
                return -1;
            }
            int n = readInto(b, off, len);
            if (n == 0) {
                eof = true; // the host closed its end
                return -1;
            }
            return n;
        }
    }

    private final class PortOut extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, java.util.Arrays.copyOfRange(b, off, off + len));
                for (long done = 0; done < len; ) {
                    done += Fds.write(fd, buf.asSlice(done), len - done);
                }
            }
        }
    }
}
