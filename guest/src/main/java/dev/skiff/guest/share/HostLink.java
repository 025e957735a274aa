package dev.skiff.guest.share;

import dev.skiff.sys.ErrnoException;
import java.lang.foreign.MemorySegment;
import java.util.function.BooleanSupplier;

/**
 * The host's end of a share, as the relay sees it: a connection that may go away (the host's
 * daemon died) and come back (a new daemon took the share up), each time as a new byte stream.
 */
interface HostLink {
    /**
     * Reads what the host sent into {@code buf}: the byte count, 0 when no host is connected (it
     * went away), or -1 when {@code stop} became true while waiting.
     */
    long read(MemorySegment buf, long max, BooleanSupplier stop) throws ErrnoException;

    /**
     * Writes {@code buf[0..length)} whole; false when the host went away first (what it was sent
     * is lost with it: a new host starts a new stream).
     */
    boolean write(MemorySegment buf, long length) throws ErrnoException;

    /** Waits until a host is connected: true, or false once {@code stop} is true. */
    boolean awaitHost(BooleanSupplier stop) throws ErrnoException, InterruptedException;
}
