package dev.skiff.engine.api;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The API server's open connections and where each one is in its request cycle, so that the
 * server holds to its limits whatever clients do (as Go's server does with ReadHeaderTimeout and
 * IdleTimeout, which dockerd relies on):
 * <ul>
 *   <li>a client sending a request's head (request line and header fields) is closed once the
 *       head has taken longer than the head deadline: a half-sent head holds no slot for long;
 *   <li>a kept-alive connection waiting for its next request is closed at the idle deadline, and
 *       earlier, oldest first, when a new connection needs its slot;
 *   <li>a connection inside a handler (a pull, {@code logs -f}, {@code events}, an attach) is
 *       never closed here: those are the client's to end.
 * </ul>
 * A new connection that finds every slot busy is refused by the caller with a 503.
 */
final class ConnectionTable {
    /** Where a connection is. */
    enum Phase { IDLE, HEAD, BUSY }

    /** One connection's place in the table. */
    final class Entry {
        final SocketChannel channel;
        private volatile Phase phase = Phase.IDLE;
        private volatile long since;

        private Entry(SocketChannel channel) {
            this.channel = channel;
            this.since = clock.getAsLong();
        }

        Phase phase() {
            return phase;
        }

        /**
         * Waiting for the next request (the first byte of its head). A connection that is idle
         * already keeps its time: a new one is idle since it was admitted, not since its thread first
         * ran, so eviction follows admission order whatever order the threads start in.
         */
        void idle() {
            if (phase != Phase.IDLE) {
                move(Phase.IDLE);
            }
        }

        /** The first byte of a request's head has come. */
        void head() {
            move(Phase.HEAD);
        }

        /** The head is read: the request is the handler's. */
        void busy() {
            move(Phase.BUSY);
        }

        private void move(Phase p) {
            since = clock.getAsLong();
            phase = p;
        }
    }

    private final int max;
    private final long headNanos;
    private final long idleNanos;
    private final LongSupplier clock;
    private final Set<Entry> entries = new LinkedHashSet<>(); // guarded by this; admission order

    ConnectionTable(int max, Duration headDeadline, Duration idleDeadline, LongSupplier nanoClock) {
        this.max = max;
        this.headNanos = headDeadline.toNanos();
        this.idleNanos = idleDeadline.toNanos();
        this.clock = nanoClock;
    }

    /**
     * Takes a new connection: in a free slot, or in the slot of the longest-idle kept-alive
     * connection, which is closed. Null when every slot is in a request.
     */
    Entry admit(SocketChannel channel) {
        Entry evicted = null;
        Entry e = new Entry(channel);
        synchronized (this) {
            if (entries.size() >= max) {
                for (Entry old : entries) {
                    if (old.phase == Phase.IDLE && (evicted == null || old.since < evicted.since)) {
                        evicted = old;
                    }
                }
                if (evicted == null) {
                    return null;
                }
                entries.remove(evicted);
            }
            entries.add(e);
        }
        if (evicted != null) {
            close(evicted);
        }
        return e;
    }

    synchronized void remove(Entry e) {
        entries.remove(e);
    }

    synchronized int size() {
        return entries.size();
    }

    /** How many connections are in {@code phase} now (tests). */
    synchronized long count(Phase phase) {
        return entries.stream().filter(e -> e.phase == phase).count();
    }

    /** Closes the connections past their deadline; returns how many. */
    int sweep() {
        long now = clock.getAsLong();
        List<Entry> expired = new ArrayList<>();
        synchronized (this) {
            for (Entry e : entries) {
                long age = now - e.since;
                if ((e.phase == Phase.HEAD && age > headNanos) || (e.phase == Phase.IDLE && age > idleNanos)) {
                    expired.add(e);
                }
            }
            entries.removeAll(expired);
        }
        expired.forEach(ConnectionTable::close);
        return expired.size();
    }

    /** Closes every connection (the server is stopping). */
    void closeAll() {
        List<Entry> all;
        synchronized (this) {
            all = new ArrayList<>(entries);
            entries.clear();
        }
        all.forEach(ConnectionTable::close);
    }

    private static void close(Entry e) {
        try {
            e.channel.close(); // the connection's thread, blocked in read, ends with an exception
        } catch (IOException ignored) {
            // closed already
        }
    }
}
