package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.agent.api.GoFileMode;
import dev.skiff.engine.api.Backend.PathStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /containers/{id}/archive} over a real unix socket against {@link StubBackend}: what the
 * docker CLI reads (the stat header's base64 JSON with Go FileMode bits and Go's time form, the
 * tar's content type), the parameters PUT passes on, and dockerd's errors.
 */
@Timeout(30)
class ArchiveRoutesTest {
    @TempDir
    Path dir;
    StubServer server;
    StubBackend backend;
    String id;

    @BeforeEach
    void start() throws IOException {
        server = new StubServer(dir);
        backend = server.backend;
        id = server.create("box", "{\"Image\":\"busybox\"}");
        backend.files.put("/etc/motd", "hello\n".getBytes(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private RawClient.Reply call(String method, String target, String body) throws IOException {
        return server.call(method, target, body);
    }

    private static JsonNode statOf(RawClient.Reply reply) throws IOException {
        return Json.MAPPER.readTree(Base64.getDecoder().decode(reply.header("X-Docker-Container-Path-Stat")));
    }

    @Test
    void headAnswersTheStatHeaderOnly() throws IOException {
        RawClient.Reply head = call("HEAD", "/v1.47/containers/box/archive?path=/etc/motd", null);
        assertEquals(200, head.status());
        assertEquals(0, head.body().length);
        JsonNode stat = statOf(head);
        assertEquals("motd", stat.get("name").asText());
        assertEquals(6, stat.get("size").asLong());
        assertEquals(0644, stat.get("mode").asInt());
        assertEquals("2023-11-14T22:13:20.12Z", stat.get("mtime").asText());
        assertEquals("", stat.get("linkTarget").asText());
    }

    @Test
    void getSendsTheTarWithTheStat() throws IOException {
        RawClient.Reply get = call("GET", "/containers/" + id.substring(0, 6) + "/archive?path=%2Fetc%2Fmotd", null);
        assertEquals(200, get.status());
        assertEquals("application/x-tar", get.header("Content-Type"));
        assertEquals("motd", statOf(get).get("name").asText());
        assertArrayEquals("hello\n".getBytes(StandardCharsets.UTF_8), get.body());
        try {
            // the server closes the archive after the last byte: the close is the event to wait for
            backend.archiveClosed.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the archive read was never closed", e);
        }
        assertTrue(backend.calls.contains("archive closed"));
    }

    @Test
    void errorsAreDockers() throws IOException {
        RawClient.Reply missing = call("GET", "/containers/box/archive?path=/nope", null);
        assertEquals(404, missing.status());
        assertEquals("Could not find the file /nope in container box",
                Json.MAPPER.readTree(missing.body()).get("message").asText());
        RawClient.Reply noContainer = call("PUT", "/containers/ghost/archive?path=/tmp", "x");
        assertEquals(404, noContainer.status());
        assertEquals("No such container: ghost", Json.MAPPER.readTree(noContainer.body()).get("message").asText());
        RawClient.Reply noPath = call("GET", "/containers/box/archive", null);
        assertEquals(400, noPath.status());
        assertTrue(Json.MAPPER.readTree(noPath.body()).get("message").asText().contains("path"));
        assertEquals(404, call("HEAD", "/containers/box/archive?path=/nope", null).status());
    }

    @Test
    void putPassesTheBodyAndDockersBooleans() throws IOException {
        RawClient.Reply put = call("PUT", "/containers/box/archive?path=/tmp&noOverwriteDirNonDir=true&copyUIDGID=1",
                "TARBYTES");
        assertEquals(200, put.status());
        assertArrayEquals("TARBYTES".getBytes(StandardCharsets.UTF_8), backend.extracted);
        assertTrue(backend.calls.contains("extract /tmp noOverwriteDirNonDir=true copyUIDGID=true"), backend.calls.toString());
        call("PUT", "/containers/box/archive?path=/tmp&noOverwriteDirNonDir=0", "");
        assertTrue(backend.calls.contains("extract /tmp noOverwriteDirNonDir=false copyUIDGID=false"), backend.calls.toString());
    }

    @Test
    void statHeaderCarriesGoFileModeBitsAndGoTime() throws IOException {
        int dirMode = GoFileMode.of(040755);
        int link = GoFileMode.of(0120777);
        PathStat stat = new PathStat("bin", 4096, dirMode, Instant.parse("2024-01-02T03:04:05Z"), "");
        JsonNode json = Json.MAPPER.readTree(Base64.getDecoder().decode(ArchiveRoutes.statHeader(stat)));
        assertEquals((1L << 31) | 0755, json.get("mode").asLong(), "os.ModeDir is bit 31, sent unsigned");
        assertEquals("2024-01-02T03:04:05Z", json.get("mtime").asText());
        assertEquals((1 << 27) | 0777, link);
        assertEquals(ArchiveRoutes.goTime(Instant.parse("2024-01-02T03:04:05.000000500Z")), "2024-01-02T03:04:05.0000005Z");
    }

    @Test
    void goFileModeOfEveryType() {
        assertEquals(0644, GoFileMode.of(0100644));
        assertEquals((1 << 25) | 0600, GoFileMode.of(010600), "named pipe");
        assertEquals((1 << 24) | 0755, GoFileMode.of(0140755), "socket");
        assertEquals((1 << 26) | (1 << 21) | 0666, GoFileMode.of(020666), "char device");
        assertEquals((1 << 26) | 0660, GoFileMode.of(060660), "block device");
        assertEquals((1 << 23) | (1 << 22) | 0755, GoFileMode.of(0106755), "setuid and setgid");
        assertEquals((1 << 31) | (1 << 20) | 0777, GoFileMode.of(041777), "sticky directory");
    }
}
