package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * top, stats, pause and unpause over a real unix socket against the real engine
 * ({@link EngineServer}): Docker's JSON shapes, the stats stream's pace and end, Docker's errors,
 * and a paused container as docker ps, inspect, the status filter and info show it. The numbers
 * are what the in-memory agent's Stats answer: a small idle container whose CPU time grows.
 */
@Timeout(60)
class ProcessRoutesTest {
    @TempDir
    Path dir;
    EngineServer server;
    String id;

    @BeforeEach
    void start() throws Exception {
        server = new EngineServer(dir);
        id = server.create("box", "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\"]}");
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private RawClient.Reply call(String method, String target, String body) throws IOException {
        return server.call(method, target, body);
    }

    private static JsonNode json(RawClient.Reply reply) throws IOException {
        return EngineServer.json(reply);
    }

    /** Docker's 409 for the box container: "Container ID" and why. */
    private void assertConflict(String method, String target, String why) throws IOException {
        RawClient.Reply reply = call(method, target, null);
        assertEquals(409, reply.status());
        assertEquals("Container " + id + why, json(reply).get("message").asText());
    }

    @Test
    void topGivesTitlesAndRowsAndRefusesOtherPsArgs() throws IOException {
        assertConflict("GET", "/containers/box/top", " is not running");
        call("POST", "/containers/box/start", null);
        for (String target : List.of("/v1.47/containers/box/top", "/containers/box/top?ps_args=-ef")) {
            JsonNode top = json(call("GET", target, null));
            assertEquals("[\"UID\",\"PID\",\"PPID\",\"C\",\"STIME\",\"TTY\",\"TIME\",\"CMD\"]", top.get("Titles").toString());
            assertEquals("sleep", top.get("Processes").get(0).get(7).asText());
        }
        RawClient.Reply aux = call("GET", "/containers/box/top?ps_args=aux", null);
        assertEquals(400, aux.status());
        String refused = json(aux).get("message").asText();
        assertTrue(refused.contains("ps -ef") && refused.contains("\"aux\""), refused);
    }

    @Test
    void statsOfAStoppedContainerAreDockersZeros() throws IOException {
        JsonNode s = json(call("GET", "/containers/box/stats?stream=false", null));
        assertEquals("/box", s.get("name").asText());
        assertEquals(id, s.get("id").asText());
        assertEquals("0001-01-01T00:00:00Z", s.get("read").asText());
        assertEquals(0, s.get("cpu_stats").get("cpu_usage").get("total_usage").asLong());
        assertEquals(0, s.get("precpu_stats").get("throttling_data").get("periods").asLong());
        assertEquals("{}", s.get("memory_stats").toString());
        assertEquals("{}", s.get("pids_stats").toString());
        assertTrue(s.get("blkio_stats").get("io_service_bytes_recursive").isNull());
        assertFalse(s.has("networks"));
        assertEquals(400, call("GET", "/containers/box/stats?stream=true&one-shot=true", null).status());
        assertEquals(404, call("GET", "/containers/ghost/stats?stream=false", null).status());
    }

    @Test
    void statsWithoutStreamCarryThePreviousSampleAsPrecpu() throws IOException {
        call("POST", "/containers/box/start", null);
        JsonNode s = json(call("GET", "/containers/box/stats?stream=false", null));
        long total = s.get("cpu_stats").get("cpu_usage").get("total_usage").asLong();
        long pre = s.get("precpu_stats").get("cpu_usage").get("total_usage").asLong();
        assertTrue(total > pre && pre > 0, s.toString());
        assertTrue(Instant.parse(s.get("read").asText()).isAfter(Instant.parse(s.get("preread").asText())));
        assertEquals(2, s.get("cpu_stats").get("online_cpus").asInt());
        assertTrue(s.get("cpu_stats").get("system_cpu_usage").asLong() > 0);
        assertEquals(4096, s.get("memory_stats").get("usage").asLong());
        assertEquals(1024, s.get("memory_stats").get("stats").get("inactive_file").asLong());
        assertEquals(1L << 30, s.get("memory_stats").get("limit").asLong());
        assertEquals(1, s.get("pids_stats").get("current").asLong());
        assertEquals("18446744073709551615", s.get("pids_stats").get("limit").asText(), "pids.max max, as dockerd");
        JsonNode io = s.get("blkio_stats").get("io_service_bytes_recursive");
        assertEquals("{\"major\":254,\"minor\":0,\"op\":\"read\",\"value\":512}", io.get(0).toString());
        assertEquals("write", io.get(1).get("op").asText());
        assertEquals(20, s.get("networks").get("eth0").get("tx_bytes").asLong());

        JsonNode oneShot = json(call("GET", "/containers/box/stats?stream=false&one-shot=true", null));
        assertEquals(0, oneShot.get("precpu_stats").get("cpu_usage").get("total_usage").asLong());
        assertEquals("0001-01-01T00:00:00Z", oneShot.get("preread").asText());
    }

    @Test
    void aStatsStreamSendsAnObjectAnIntervalUntilTheContainerStops() throws Exception {
        call("POST", "/containers/box/start", null);
        try (RawClient c = new RawClient(server.socket)) {
            c.send("GET /containers/box/stats HTTP/1.1\r\nHost: d\r\n\r\n");
            assertEquals(200, c.readHead().status());
            JsonNode first = Json.MAPPER.readTree(c.readChunk());
            assertEquals("0001-01-01T00:00:00Z", first.get("preread").asText(), "the first has no sample before it");
            JsonNode second = Json.MAPPER.readTree(c.readChunk());
            assertEquals(first.get("cpu_stats").toString(), second.get("precpu_stats").toString());
            assertEquals(first.get("read").asText(), second.get("preread").asText());
            call("POST", "/containers/box/kill", null);
            JsonNode last;
            byte[] chunk;
            do {
                last = Json.MAPPER.readTree(c.readChunk());
            } while (!last.get("read").asText().startsWith("0001"));
            assertEquals(0, last.get("cpu_stats").get("cpu_usage").get("total_usage").asLong(), "a stopped one's zeros");
            chunk = c.readChunk();
            assertNull(chunk, "the stream ends once it has stopped");
        }
    }

    @Test
    void pauseAndUnpauseWithDockersErrorsAndHowPsShowsIt() throws IOException {
        assertConflict("POST", "/containers/box/pause", " is not running");
        call("POST", "/containers/box/start", null);
        assertConflict("POST", "/containers/box/unpause", " is not paused");
        assertEquals(204, call("POST", "/v1.47/containers/box/pause", null).status());
        assertConflict("POST", "/containers/box/pause", " is already paused");

        JsonNode state = json(call("GET", "/containers/box/json", null)).get("State");
        assertEquals("paused", state.get("Status").asText());
        assertTrue(state.get("Running").asBoolean());
        assertTrue(state.get("Paused").asBoolean());
        JsonNode ps = json(call("GET", "/containers/json", null)).get(0);
        assertEquals("paused", ps.get("State").asText());
        assertTrue(ps.get("Status").asText().matches("Up .* \\(Paused\\)"), ps.get("Status").asText());
        String filter = java.net.URLEncoder.encode("{\"status\":[\"paused\"]}", StandardCharsets.UTF_8);
        assertEquals(1, json(call("GET", "/containers/json?filters=" + filter, null)).size());
        String running = java.net.URLEncoder.encode("{\"status\":[\"running\"]}", StandardCharsets.UTF_8);
        assertEquals(0, json(call("GET", "/containers/json?filters=" + running, null)).size());

        assertEquals(204, call("POST", "/containers/box/unpause", null).status());
        assertConflict("POST", "/containers/box/unpause", " is not paused");
        assertEquals("running", json(call("GET", "/containers/box/json", null)).get("State").get("Status").asText());
    }

    @Test
    void theStatusLineOfAPausedContainer() {
        Instant started = Instant.parse("2024-01-01T00:00:00Z");
        Backend.ContainerState paused = new Backend.ContainerState("paused", true, 1, 0, "", started, null);
        assertEquals("Up 5 seconds (Paused)", ContainerStatus.describe(paused, started.plusSeconds(5)));
    }

    @Test
    void theStatsJsonOfARunningSampleHasEveryFieldTheCliReads() {
        StatsSample now = new StatsSample("c", "/n", Instant.parse("2024-01-01T00:00:01.25Z"),
                new StatsSample.Cpu(5, 2, 3, 100, 1, 0, 0, 0), new StatsSample.Memory(10, 20, Map.of()), 1, 7,
                List.of(), Map.of());
        JsonNode json = StatsJson.of(now, null);
        assertEquals("2024-01-01T00:00:01.25Z", json.get("read").asText());
        assertEquals(7, json.get("pids_stats").get("limit").asLong());
        assertEquals(3, json.get("cpu_stats").get("cpu_usage").get("usage_in_usermode").asLong());
        assertEquals(2, json.get("cpu_stats").get("cpu_usage").get("usage_in_kernelmode").asLong());
        assertFalse(json.get("precpu_stats").has("system_cpu_usage"), "omitempty, as Go writes it");
        assertEquals(0, json.get("num_procs").asInt());
    }
}
