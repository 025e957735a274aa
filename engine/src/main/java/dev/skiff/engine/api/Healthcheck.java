package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's health check, Docker's {@code HealthConfig}: the {@code Healthcheck} of a create request's
 * config and of an image's config. {@code test} is {@code ["NONE"]} (none, not even the image's),
 * {@code ["CMD", arg...]} (exec'd as is) or {@code ["CMD-SHELL", command]} (run by {@code /bin/sh -c}); empty
 * means the image's. Durations are nanoseconds and 0 means "the image's, else the default" (moby's
 * {@code container/health} and {@code daemon/health.go} defaults), as are {@code retries} 0.
 */
public record Healthcheck(List<String> test, long interval, long timeout, long startPeriod, long startInterval,
                          int retries) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_START_PERIOD = Duration.ZERO;
    public static final Duration DEFAULT_START_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_RETRIES = 3;
    /** moby's {@code container.MinimumDuration}: the shortest duration a request may set. */
    static final long MINIMUM_NANOS = 1_000_000;

    public Healthcheck {
        test = test == null ? List.of() : List.copyOf(test);
    }

    /**
     * The container's health check from the request's and the image's, as moby's {@code daemon/commit.go} merges
     * them: the request's non-zero fields win, the image's fill the rest; null when neither has one.
     */
    public static Healthcheck merge(Healthcheck requested, Healthcheck image) {
        if (image == null || requested == null) {
            return requested == null ? image : requested;
        }
        return new Healthcheck(requested.test.isEmpty() ? image.test : requested.test,
                requested.interval != 0 ? requested.interval : image.interval,
                requested.timeout != 0 ? requested.timeout : image.timeout,
                requested.startPeriod != 0 ? requested.startPeriod : image.startPeriod,
                requested.startInterval != 0 ? requested.startInterval : image.startInterval,
                requested.retries != 0 ? requested.retries : image.retries);
    }

    /**
     * What a probe runs, or null when nothing is probed: no test, {@code NONE}, or a type dockerd does not know
     * (it logs those and runs no monitor).
     */
    public List<String> probeCommand() {
        if (test.isEmpty()) {
            return null;
        }
        return switch (test.getFirst()) {
            case "CMD" -> test.size() > 1 ? test.subList(1, test.size()) : null;
            case "CMD-SHELL" -> {
                List<String> shell = new ArrayList<>(List.of("/bin/sh", "-c"));
                shell.addAll(test.subList(1, test.size()));
                yield test.size() > 1 ? List.copyOf(shell) : null;
            }
            default -> null;
        };
    }

    public Duration intervalOrDefault() {
        return interval == 0 ? DEFAULT_INTERVAL : Duration.ofNanos(interval);
    }

    public Duration timeoutOrDefault() {
        return timeout == 0 ? DEFAULT_TIMEOUT : Duration.ofNanos(timeout);
    }

    public Duration startPeriodOrDefault() {
        return startPeriod == 0 ? DEFAULT_START_PERIOD : Duration.ofNanos(startPeriod);
    }

    public Duration startIntervalOrDefault() {
        return startInterval == 0 ? DEFAULT_START_INTERVAL : Duration.ofNanos(startInterval);
    }

    public int retriesOrDefault() {
        return retries <= 0 ? DEFAULT_RETRIES : retries;
    }

    /** A request's health check, refused with moby's words ({@code daemon/container.go} validateHealthCheck). */
    void check() throws EngineException {
        tooShort("Interval", interval);
        tooShort("Timeout", timeout);
        if (retries < 0) {
            throw EngineException.invalid("Retries in Healthcheck cannot be negative");
        }
        tooShort("StartPeriod", startPeriod);
        tooShort("StartInterval", startInterval);
    }

    private static void tooShort(String field, long nanos) throws EngineException {
        if (nanos != 0 && nanos < MINIMUM_NANOS) {
            throw EngineException.invalid(field + " in Healthcheck cannot be less than 1ms");
        }
    }

    /**
     * A {@code Healthcheck} object of a request or an image config; null for an absent or null one. A field of the
     * wrong type is a 400, as Go's decoder refuses it.
     */
    public static Healthcheck fromJson(JsonNode h) throws EngineException {
        if (h == null || h.isNull() || h.isMissingNode()) {
            return null;
        }
        if (!h.isObject()) {
            throw EngineException.invalid("Healthcheck must be an object");
        }
        List<String> test = Json.strings(h, "Test");
        return new Healthcheck(test, nanos(h, "Interval"), nanos(h, "Timeout"), nanos(h, "StartPeriod"),
                nanos(h, "StartInterval"), (int) nanos(h, "Retries"));
    }

    private static long nanos(JsonNode h, String field) throws EngineException {
        JsonNode n = h.get(field);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.canConvertToLong() || !n.isIntegralNumber()) {
            throw EngineException.invalid("Healthcheck." + field + " must be an integer"
                    + (field.equals("Retries") ? "" : " (nanoseconds)"));
        }
        return n.asLong();
    }

    /** Docker's JSON: every field {@code omitempty}, durations in nanoseconds. */
    ObjectNode toJson() {
        ObjectNode o = Json.object();
        if (!test.isEmpty()) {
            o.set("Test", Json.array(test));
        }
        putNonZero(o, "Interval", interval);
        putNonZero(o, "Timeout", timeout);
        putNonZero(o, "StartPeriod", startPeriod);
        putNonZero(o, "StartInterval", startInterval);
        putNonZero(o, "Retries", retries);
        return o;
    }

    private static void putNonZero(ObjectNode o, String field, long value) {
        if (value != 0) {
            o.put(field, value);
        }
    }
}
