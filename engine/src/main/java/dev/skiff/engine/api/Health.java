package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A container's health as its checks found it, Docker's {@code State.Health}: the status, the number of failed
 * probes in a row that counted, and the last {@link #MAX_LOG} results, oldest first. A container whose health
 * check never ran has none (null), which ps filters call "none".
 */
public record Health(String status, int failingStreak, List<Result> log) {
    public static final String STARTING = "starting";
    public static final String HEALTHY = "healthy";
    public static final String UNHEALTHY = "unhealthy";
    /** The ps filter's word for a container without health checks. */
    public static final String NONE = "none";
    /** moby's maxLogEntries. */
    public static final int MAX_LOG = 5;

    /**
     * One probe: RFC 3339 start and end (kept as text so a container's state file needs no time codec), its exit
     * code (-1 when it could not run or timed out) and its output, at most 4096 bytes.
     */
    public record Result(String start, String end, int exitCode, String output) {}

    public Health {
        log = log == null ? List.of() : List.copyOf(log);
    }

    /** What docker ps adds after "Up 3 seconds": moby's {@code Health.String}. */
    String psWord() {
        return status.equals(STARTING) ? "health: starting" : status;
    }

    ObjectNode toJson() {
        ObjectNode o = Json.object().put("Status", status).put("FailingStreak", failingStreak);
        ArrayNode results = o.putArray("Log");
        for (Result r : log) {
            results.addObject().put("Start", r.start()).put("End", r.end()).put("ExitCode", r.exitCode())
                    .put("Output", r.output());
        }
        return o;
    }
}
