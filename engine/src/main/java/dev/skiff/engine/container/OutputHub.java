package dev.skiff.engine.container;

import dev.skiff.engine.api.Backend.StreamType;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A process's output, fanned out: to its log (if it has one) and to every attached client. A
 * subscriber that asks for the past gets the log so far and then live frames with no gap and no
 * repeat, because both happen under the same lock as publishing.
 *
 * <p>A client that stops reading (a stalled {@code logs -f} or attach) is dropped once it is
 * {@link #BEHIND_LIMIT} bytes behind: its stream ends, with a line in the daemon's log, and the
 * process's output and the other clients go on. Its frames never pile up in the daemon's heap.
 */
public final class OutputHub {
    private static final Logger LOG = System.getLogger(OutputHub.class.getName());
    /** The live output a subscriber may have waiting before it counts as stalled. */
    static final long BEHIND_LIMIT = 4L << 20;

    private final LogFile log; // null for an exec: docker keeps no log of those
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private boolean running; // guarded by this
    private long[] received = new long[2]; // guarded by this: stdout's and stderr's bytes of the run

    /** A subscriber's queue, counting the live bytes it holds until they are taken. */
    static final class Subscriber extends LinkedBlockingQueue<Frame> {
        private final AtomicLong waiting = new AtomicLong();

        /** Queues a live frame unless that would put it past the limit. */
        boolean offerLive(Frame f) {
            if (f.data() != null && waiting.get() + f.data().length > BEHIND_LIMIT) {
                return false;
            }
            waiting.addAndGet(f.data() == null ? 0 : f.data().length);
            return offer(f);
        }

        private Frame taken(Frame f) {
            if (f != null && f.data() != null) {
                waiting.addAndGet(-f.data().length);
            }
            return f;
        }

        @Override
        public Frame take() throws InterruptedException {
            return taken(super.take());
        }

        @Override
        public Frame poll() {
            return taken(super.poll());
        }

        @Override
        public Frame poll(long timeout, TimeUnit unit) throws InterruptedException {
            return taken(super.poll(timeout, unit));
        }

        long waiting() {
            return waiting.get();
        }
    }

    OutputHub(LogFile log) {
        this.log = log;
    }

    /** A new run of the process begins: live subscribers from now on get its frames. */
    public synchronized void begin() {
        running = true;
        received = new long[2];
        if (log != null) {
            try {
                log.beginRun();
            } catch (IOException e) {
                LOG.log(Level.ERROR, "cannot write log " + log.path() + ": " + e.getMessage());
            }
        }
    }

    /**
     * A run that an earlier daemon began goes on in this one: what its log already has of the run
     * is counted as received, so that the output is asked for from there ({@link #received}).
     */
    public synchronized void resume() {
        running = true;
        received = new long[2];
        if (log != null) {
            try {
                received = log.resume();
            } catch (IOException e) {
                LOG.log(Level.ERROR, "cannot read log " + log.path() + ": " + e.getMessage());
            }
        }
    }

    /** The bytes of this run's stdout or stderr published so far: where reading it goes on. */
    public synchronized long received(StreamType type) {
        return received[type == StreamType.STDERR ? 1 : 0];
    }

    public synchronized void publish(Frame f) {
        if (f.data() != null) {
            received[f.type() == StreamType.STDERR ? 1 : 0] += f.data().length;
        }
        if (log != null) {
            try {
                log.append(f);
            } catch (IOException e) {
                LOG.log(Level.ERROR, "cannot write log " + log.path() + ": " + e.getMessage());
            }
        }
        for (Subscriber q : subscribers) {
            if (!q.offerLive(f)) {
                subscribers.remove(q);
                LOG.log(Level.WARNING, "dropped a client of a process's output: it stopped reading "
                        + (q.waiting() >> 20) + " MiB behind");
                q.clear();
                q.add(Frame.END);
            }
        }
    }

    /** The run's output has ended: live subscribers are told so and dropped. */
    public synchronized void end() {
        running = false;
        for (Subscriber q : subscribers) {
            q.add(Frame.END);
        }
        subscribers.clear();
    }

    /**
     * Subscribes. {@code replayTail} >= 0 (or -1 for all, -2 for none) replays the log first.
     * With {@code live} false, or when nothing is running, the queue ends after the replay.
     */
    public synchronized BlockingQueue<Frame> subscribe(int replayTail, boolean live) throws IOException {
        Subscriber q = new Subscriber();
        if (replayTail != -2 && log != null) {
            q.addAll(log.read(replayTail == -1 ? -1 : replayTail));
        }
        if (live && running) {
            subscribers.add(q);
        } else {
            q.add(Frame.END);
        }
        return q;
    }

    /** Subscribes before the process starts (docker run attaches first): frames of the next run. */
    public synchronized BlockingQueue<Frame> subscribeNextRun() {
        Subscriber q = new Subscriber();
        subscribers.add(q);
        return q;
    }

    public void unsubscribe(BlockingQueue<Frame> q) {
        subscribers.remove(q);
    }

    /** How many clients follow the live output now (a client that went must not stay counted). */
    public int subscriberCount() {
        return subscribers.size();
    }

    public void close() {
        if (log != null) {
            log.close();
        }
    }
}
