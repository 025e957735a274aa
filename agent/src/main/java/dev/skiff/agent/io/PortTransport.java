package dev.skiff.agent.io;

import dev.skiff.guest.process.FdInputStream;
import dev.skiff.guest.process.FdOutputStream;
import dev.skiff.ttrpc.Transport;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;

/**
 * ttrpc connections over one virtio-serial port, one host connection after another.
 *
 * <p>The port is read and written with raw read(2)/write(2) on one fd (FdInputStream and
 * FdOutputStream): a FileChannel would make a write wait for a blocked read, as they share its
 * position lock. A read of 0 bytes means the host has no connection open: the current connection
 * ends there, and {@link #awaitConnection} waits for the next host (the engine restarting, say)
 * without closing the port.
 */
public final class PortTransport {
    /** How often to look for a new host connection on an idle port (reads return 0 at once). */
    static final long IDLE_POLL_MILLIS = 50;

    private final InputStream in;
    private final OutputStream out;

    public PortTransport(int fd) {
        // The port outlives every connection: closing a connection's streams must not close it.
        this.in = new FilterInputStream(new FdInputStream(fd)) {
            @Override
            public void close() {
                // the port stays open for the next host
            }
        };
        this.out = new FilterOutputStream(new FdOutputStream(fd)) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                this.out.write(b, off, len); // whole buffers, not FilterOutputStream's byte by byte
            }

            @Override
            public void close() {
                // the port stays open for the next host
            }
        };
    }

    /** Blocks until the host sends its first bytes; returns a transport that starts with them. */
    public Transport awaitConnection() throws IOException, InterruptedException {
        byte[] first = new byte[64 * 1024];
        while (true) {
            int n = in.read(first, 0, first.length);
            if (n > 0) {
                // After the first bytes, the port itself; its first 0-byte read (-1) ends the connection.
                InputStream connection = new SequenceInputStream(new ByteArrayInputStream(first, 0, n), in);
                return new Transport(connection, out, () -> { });
            }
            Thread.sleep(IDLE_POLL_MILLIS);
        }
    }
}
