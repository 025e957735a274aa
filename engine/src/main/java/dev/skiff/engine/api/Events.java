package dev.skiff.engine.api;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The daemon's event log, as {@code docker events} reads it: what happened to containers, images,
 * volumes and networks, kept for the last {@link #KEPT} events (for {@code --since}) and handed to
 * every live subscriber. Publishing never blocks: a subscriber that falls {@link #BACKLOG} events
 * behind is dropped (its stream ends), as dockerd drops slow event readers.
 */
public final class Events {
    public static final int KEPT = 1024;
    static final int BACKLOG = 4096;

    /**
     * One event: Docker's Type ("container", "image", "volume", "network"), Action ("create", "start",
     * "die"...), the actor's id and attributes (a container's name, image and labels; "exitCode" for die).
     */
    public record Event(String type, String action, String actorId, Map<String, String> attributes, Instant time) {}

    /** A live reader: its queue, and whether the log dropped it for falling behind. */
    public static final class Subscription implements AutoCloseable {
        private final Events owner;
        final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        volatile boolean dropped;

        private Subscription(Events owner) {
            this.owner = owner;
        }

        @Override
        public void close() {
            owner.live.remove(this);
        }
    }

    private final Deque<Event> recent = new ArrayDeque<>();
    private final List<Subscription> live = new CopyOnWriteArrayList<>();

    public void publish(String type, String action, String actorId, Map<String, String> attributes) {
        Event e = new Event(type, action, actorId, Map.copyOf(attributes), Instant.now());
        synchronized (recent) { // one order for the log and every queue: a new subscriber misses nothing, twice nothing
            recent.addLast(e);
            if (recent.size() > KEPT) {
                recent.removeFirst();
            }
            for (Subscription s : live) {
                if (s.queue.size() >= BACKLOG) {
                    s.dropped = true;
                    live.remove(s);
                } else {
                    s.queue.add(e);
                }
            }
        }
    }

    /** The kept events from {@code since} on, and a subscription to what comes next, with no gap between. */
    Subscription subscribe(Instant since, List<Event> replay) {
        Subscription s = new Subscription(this);
        synchronized (recent) {
            for (Event e : recent) {
                if (since != null && !e.time().isBefore(since)) {
                    replay.add(e);
                }
            }
            live.add(s);
        }
        return s;
    }

    /** What is kept now (tests). */
    List<Event> recent() {
        synchronized (recent) {
            return new ArrayList<>(recent);
        }
    }
}
