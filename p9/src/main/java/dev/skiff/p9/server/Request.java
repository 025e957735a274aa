package dev.skiff.p9.server;

import dev.skiff.p9.wire.Tmessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * One request in flight: its tag and message, the fids it holds, and its flush state. A
 * request that waits (a blocking Tlock) parks through {@link #park}, which a Tflush can cut
 * short; nothing else is interrupted, so a flushed read or write simply completes and its reply
 * is sent before the Rflush, as flush(5) allows.
 */
final class Request {
    final int tag;
    final Tmessage message;
    /** System.nanoTime() when the whole frame had been read (0 when not timed). */
    final long received;
    final CountDownLatch done = new CountDownLatch(1);
    private final List<Fid> held = new ArrayList<>(2);
    private volatile boolean flushed;
    private volatile Thread waiter;
    private boolean permitHeld = true;

    Request(int tag, Tmessage message, long received) {
        this.tag = tag;
        this.message = message;
        this.received = received;
    }

    /** Called by Tflush (or by connection shutdown): abandon the request if it is waiting. */
    void flush() {
        flushed = true;
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    boolean flushed() {
        return flushed;
    }

    /**
     * Waits up to {@code nanos} as part of a blocking operation; the first wait gives the
     * pending-request permit back, so waiting requests never fill the connection's cap.
     *
     * @throws Aborted if the request was flushed
     */
    void park(Session session, long nanos) {
        synchronized (this) {
            if (permitHeld) {
                permitHeld = false;
                session.releasePermit();
            }
        }
        waiter = Thread.currentThread();
        try {
            if (!flushed) {
                LockSupport.parkNanos(this, nanos);
            }
        } finally {
            waiter = null;
        }
        if (flushed) {
            throw new Aborted();
        }
    }

    synchronized boolean takePermit() {
        boolean had = permitHeld;
        permitHeld = false;
        return had;
    }

    void hold(Fid fid) {
        synchronized (held) {
            held.add(fid);
        }
    }

    void releaseFids() {
        synchronized (held) {
            held.forEach(Fid::release);
            held.clear();
        }
    }

    /** Thrown inside a handler whose request was flushed: no reply is sent for it. */
    static final class Aborted extends RuntimeException {
        Aborted() {
            super("request flushed", null, false, false);
        }
    }
}
