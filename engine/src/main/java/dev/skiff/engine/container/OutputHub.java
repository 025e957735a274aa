package dev.skiff.engine.container;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A process's output, fanned out: to its log (if it has one) and to every attached client. A
 * subscriber that asks for the past gets the log so far and then live frames with no gap and no
 * repeat, because both happen under the same lock as publishing.
 */
public final class OutputHub {
    private final LogFile log; // null for an exec: docker keeps no log of those
    private final List<BlockingQueue<Frame>> subscribers = new CopyOnWriteArrayList<>();
    private boolean running; // guarded by this

    OutputHub(LogFile log) {
        this.log = log;
    }

    /** A new run of the process begins: live subscribers from now on get its frames. */
    public synchronized void begin() {
        running = true;
    }

    public synchronized void publish(Frame f) {
        if (log != null) {
            try {
                log.append(f);
            } catch (IOException e) {
                System.err.println("skiff: cannot write log " + log.path() + ": " + e.getMessage());
            }
        }
        for (BlockingQueue<Frame> q : subscribers) {
            q.add(f);
        }
    }

    /** The run's output has ended: live subscribers are told so and dropped. */
    public synchronized void end() {
        running = false;
        for (BlockingQueue<Frame> q : subscribers) {
            q.add(Frame.END);
        }
        subscribers.clear();
    }

    /**
     * Subscribes. {@code replayTail} >= 0 (or -1 for all, -2 for none) replays the log first.
     * With {@code live} false, or when nothing is running, the queue ends after the replay.
     */
    public synchronized BlockingQueue<Frame> subscribe(int replayTail, boolean live) throws IOException {
        BlockingQueue<Frame> q = new LinkedBlockingQueue<>();
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
        BlockingQueue<Frame> q = new LinkedBlockingQueue<>();
        subscribers.add(q);
        return q;
    }

    public void unsubscribe(BlockingQueue<Frame> q) {
        subscribers.remove(q);
    }

    public void close() {
        if (log != null) {
            log.close();
        }
    }
}
