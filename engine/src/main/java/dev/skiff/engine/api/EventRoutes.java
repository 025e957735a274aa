package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.Events.Event;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /events}: the kept events since {@code since}, then the live ones until {@code until}
 * (or for as long as the client stays), each one JSON object per line in dockerd's shape, with its
 * filters (type, event, container, image, label, network, volume).
 */
final class EventRoutes {
    private static final Set<String> FILTERS = Set.of("type", "event", "container", "image", "label", "network",
            "volume", "scope", "daemon");
    /** How often an idle stream checks whether {@code until} has passed. */
    private static final Duration TICK = Duration.ofMillis(500);

    private final Events events;

    EventRoutes(Events events) {
        this.events = events;
    }

    void register(Router router) {
        router.add("GET", "/events", this::stream);
    }

    private void stream(Exchange ex) throws EngineException, IOException {
        Map<String, List<String>> f = Filters.parse(ex.query("filters"), FILTERS);
        // since=0 is the beginning of what is kept (queryTime reads "0" as absent, which means "no replay")
        Instant since = "0".equals(ex.query("since")) ? Instant.EPOCH : ex.queryTime("since");
        Instant until = ex.queryTime("until");
        List<Event> replay = new ArrayList<>();
        CompletableFuture<Void> gone = ex.clientGone();
        try (Events.Subscription live = events.subscribe(since, replay)) {
            OutputStream out = ex.response().startChunked(200, "application/json");
            for (Event e : replay) {
                if (until != null && e.time().isAfter(until)) {
                    break;
                }
                send(out, e, f);
            }
            while (until == null || Instant.now().isBefore(until)) {
                Event e;
                try {
                    e = live.queue.poll(TICK.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (e == null) {
                    if (gone.isDone()) {
                        return; // nobody reads this stream any more (a filter may have let nothing through)
                    }
                    if (live.dropped) {
                        break; // fell too far behind: the client sees the end and may ask again with since
                    }
                    continue;
                }
                if (until != null && e.time().isAfter(until)) {
                    break;
                }
                send(out, e, f);
            }
            out.close();
        }
    }

    private static void send(OutputStream out, Event e, Map<String, List<String>> f) throws IOException {
        if (!matches(e, f)) {
            return;
        }
        byte[] json = Json.write(json(e));
        out.write(json);
        out.write('\n');
        out.flush();
    }

    static boolean matches(Event e, Map<String, List<String>> f) {
        String name = e.attributes().getOrDefault("name", "");
        return any(f, "type", v -> v.equals(e.type()))
                && any(f, "event", v -> v.equals(e.action()) || e.action().startsWith(v + ":"))
                && any(f, "container", v -> e.type().equals("container") && (e.actorId().startsWith(v)
                        || name.equals(v)))
                && any(f, "image", v -> e.type().equals("image") && (e.actorId().equals(v) || name.equals(v))
                        || v.equals(e.attributes().get("image")))
                && any(f, "network", v -> e.type().equals("network") && (e.actorId().startsWith(v) || name.equals(v)))
                && any(f, "volume", v -> e.type().equals("volume") && e.actorId().equals(v))
                && dev.skiff.engine.network.LabelFilter.matches(e.attributes(), f.getOrDefault("label", List.of()))
                && any(f, "scope", v -> v.equals("local"));
    }

    private static boolean any(Map<String, List<String>> f, String key, java.util.function.Predicate<String> test) {
        List<String> values = f.get(key);
        return values == null || values.stream().anyMatch(test);
    }

    /** dockerd's events.Message, with the legacy status/id/from of container and image events. */
    static ObjectNode json(Event e) {
        ObjectNode o = Json.object();
        if (e.type().equals("container") || e.type().equals("image")) {
            o.put("status", e.action()).put("id", e.actorId());
            String from = e.attributes().get("image");
            if (from != null) {
                o.put("from", from);
            }
        }
        o.put("Type", e.type()).put("Action", e.action());
        ObjectNode actor = o.putObject("Actor").put("ID", e.actorId());
        ObjectNode attrs = actor.putObject("Attributes");
        new java.util.TreeMap<>(e.attributes()).forEach(attrs::put);
        long nanos = e.time().getEpochSecond() * 1_000_000_000L + e.time().getNano();
        o.put("scope", "local").put("time", e.time().getEpochSecond()).put("timeNano", nanos);
        return o;
    }
}
