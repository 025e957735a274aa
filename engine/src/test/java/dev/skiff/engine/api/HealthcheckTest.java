package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The health check's config: moby's merge of a request's and an image's, its defaults, its checks and its JSON. */
class HealthcheckTest {
    private static final long S = 1_000_000_000L;
    private static final Healthcheck IMAGE = new Healthcheck(List.of("CMD", "curl", "-f", "http://localhost/"),
            30 * S, 5 * S, 10 * S, 2 * S, 4);

    @Test
    void theRequestsNonZeroFieldsWinAndTheImageFillsTheRest() {
        assertEquals(IMAGE, Healthcheck.merge(null, IMAGE));
        Healthcheck mine = new Healthcheck(List.of("CMD-SHELL", "true"), S, 0, 0, 0, 0);
        assertEquals(mine, Healthcheck.merge(mine, null));
        assertNull(Healthcheck.merge(null, null));
        assertEquals(new Healthcheck(List.of("CMD-SHELL", "true"), S, 5 * S, 10 * S, 2 * S, 4),
                Healthcheck.merge(mine, IMAGE));
        assertEquals(new Healthcheck(IMAGE.test(), 30 * S, 5 * S, 10 * S, 2 * S, 7),
                Healthcheck.merge(new Healthcheck(List.of(), 0, 0, 0, 0, 7), IMAGE), "no test: the image's");
        Healthcheck none = Healthcheck.merge(new Healthcheck(List.of("NONE"), 0, 0, 0, 0, 0), IMAGE);
        assertEquals(List.of("NONE"), none.test());
        assertNull(none.probeCommand(), "--no-healthcheck disables the image's");
    }

    @Test
    void probeCommandsAndDefaults() {
        assertEquals(List.of("curl", "-f", "http://localhost/"), IMAGE.probeCommand());
        assertEquals(List.of("/bin/sh", "-c", "test -f /tmp/ok"),
                new Healthcheck(List.of("CMD-SHELL", "test -f /tmp/ok"), 0, 0, 0, 0, 0).probeCommand());
        assertNull(new Healthcheck(List.of(), 0, 0, 0, 0, 0).probeCommand());
        assertNull(new Healthcheck(List.of("CMD"), 0, 0, 0, 0, 0).probeCommand());
        assertNull(new Healthcheck(List.of("HTTP", "x"), 0, 0, 0, 0, 0).probeCommand(), "unknown: no probe");
        Healthcheck defaults = new Healthcheck(List.of("CMD", "true"), 0, 0, 0, 0, 0);
        assertEquals(Duration.ofSeconds(30), defaults.intervalOrDefault());
        assertEquals(Duration.ofSeconds(30), defaults.timeoutOrDefault());
        assertEquals(Duration.ZERO, defaults.startPeriodOrDefault());
        assertEquals(Duration.ofSeconds(5), defaults.startIntervalOrDefault());
        assertEquals(3, defaults.retriesOrDefault());
    }

    @Test
    void aRequestIsCheckedWithMobysWords() throws Exception {
        String[][] bad = {
            {"{\"Interval\":500000}", "Interval in Healthcheck cannot be less than 1ms"},
            {"{\"Timeout\":-100000000}", "Timeout in Healthcheck cannot be less than 1ms"},
            {"{\"Retries\":-1}", "Retries in Healthcheck cannot be negative"},
            {"{\"StartPeriod\":1}", "StartPeriod in Healthcheck cannot be less than 1ms"},
            {"{\"StartInterval\":999999}", "StartInterval in Healthcheck cannot be less than 1ms"},
        };
        for (String[] b : bad) {
            EngineException e = assertThrows(EngineException.class,
                    () -> Healthcheck.fromJson(Json.MAPPER.readTree(b[0])).check(), b[0]);
            assertEquals(b[1], e.getMessage());
            assertEquals(EngineException.Kind.INVALID, e.kind());
        }
        assertThrows(EngineException.class, () -> Healthcheck.fromJson(Json.MAPPER.readTree("{\"Interval\":\"1s\"}")));
        assertThrows(EngineException.class, () -> Healthcheck.fromJson(Json.MAPPER.readTree("[]")));
        assertNull(Healthcheck.fromJson(null));
        Healthcheck.fromJson(Json.MAPPER.readTree("{\"Interval\":1000000}")).check();
    }

    @Test
    void jsonIsDockersWithZeroFieldsLeftOut() throws Exception {
        String json = "{\"Test\":[\"CMD-SHELL\",\"test -f /tmp/ok\"],\"Interval\":1000000000,\"Retries\":2}";
        Healthcheck h = Healthcheck.fromJson(Json.MAPPER.readTree(json));
        assertEquals(new Healthcheck(List.of("CMD-SHELL", "test -f /tmp/ok"), S, 0, 0, 0, 2), h);
        assertEquals(json, h.toJson().toString());
        assertEquals("{\"Test\":[\"NONE\"]}", new Healthcheck(List.of("NONE"), 0, 0, 0, 0, 0).toJson().toString());
        assertEquals(IMAGE, Healthcheck.fromJson(IMAGE.toJson()));
    }
}
