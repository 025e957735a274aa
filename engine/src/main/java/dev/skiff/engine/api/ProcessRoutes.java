package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A running container's processes: {@code top}, {@code stats}, {@code pause} and {@code unpause}.
 *
 * <p>top gives ps -ef's columns and nothing else: {@code ps_args} may be empty or "-ef" (what the
 * CLI sends for {@code docker top C} and {@code docker top C -ef}); other ps options are refused
 * with a 400 that says so, since the columns are computed from /proc in the guest, not by ps.
 */
final class ProcessRoutes {
    /** ps arguments that ask for exactly the columns top gives. */
    static final Set<String> PS_ARGS = Set.of("", "-ef", "-fe", "-e -f", "-f -e");
    /** Between two samples of a stats stream, as dockerd's stats collector. */
    static final Duration INTERVAL = Duration.ofSeconds(1);

    private final Backend backend;
    private final Duration interval;

    ProcessRoutes(Backend backend) {
        this(backend, INTERVAL);
    }

    /** With another interval between samples (tests). */
    ProcessRoutes(Backend backend, Duration interval) {
        this.backend = backend;
        this.interval = interval;
    }

    void register(Router router) {
        router.add("GET", "/containers/{id}/top", this::top)
                .add("GET", "/containers/{id}/stats", this::stats)
                .add("POST", "/containers/{id}/pause", this::pause)
                .add("POST", "/containers/{id}/unpause", this::unpause);
    }

    private void top(Exchange ex) throws EngineException, IOException {
        String psArgs = ex.query("ps_args") == null ? "" : ex.query("ps_args").trim();
        if (!PS_ARGS.contains(psArgs)) {
            throw EngineException.invalid("Skiff's top shows ps -ef's columns (UID PID PPID C STIME TTY TIME CMD) "
                    + "only: ps_args must be empty or \"-ef\", not \"" + psArgs + "\"");
        }
        Backend.ProcessList list = backend.top(ex.path("id"));
        ObjectNode json = Json.object();
        json.set("Titles", Json.array(list.titles()));
        ArrayNode rows = json.putArray("Processes");
        for (List<String> row : list.processes()) {
            rows.add(Json.array(row));
        }
        ex.response().sendJson(200, json);
    }

    /**
     * As dockerd: with {@code stream} (the default) one object per interval until the container
     * stops (the last one is its zeros) or the client goes away; without it one object, whose
     * precpu_stats come from a sample an interval before unless {@code one-shot}.
     */
    private void stats(Exchange ex) throws EngineException, IOException {
        String id = ex.path("id");
        boolean stream = ex.queryBool("stream", true);
        boolean oneShot = ex.queryBool("one-shot");
        if (stream && oneShot) {
            throw EngineException.invalid("cannot have stream=true and one-shot=true");
        }
        StatsSample now = backend.stats(id);
        if (!stream) {
            StatsSample pre = null;
            if (!oneShot && now.running()) {
                waitInterval();
                pre = now;
                now = backend.stats(id);
            }
            ex.response().sendJson(200, StatsJson.of(now, pre));
            return;
        }
        OutputStream out = ex.response().startChunked(200, "application/json");
        StatsSample pre = null;
        while (true) {
            out.write((Json.MAPPER.writeValueAsString(StatsJson.of(now, pre)) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush(); // a client that went away fails this write, which ends the stream
            if (!now.running()) {
                break;
            }
            waitInterval();
            pre = now;
            try {
                now = backend.stats(id);
            } catch (EngineException e) {
                break; // removed meanwhile
            }
        }
        out.close();
    }

    private void waitInterval() throws InterruptedIOException {
        try {
            Thread.sleep(interval);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted between two stats samples");
        }
    }

    private void pause(Exchange ex) throws EngineException, IOException {
        backend.pauseContainer(ex.path("id"));
        ex.response().sendEmpty(204);
    }

    private void unpause(Exchange ex) throws EngineException, IOException {
        backend.unpauseContainer(ex.path("id"));
        ex.response().sendEmpty(204);
    }
}
