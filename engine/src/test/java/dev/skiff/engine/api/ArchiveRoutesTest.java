package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.agent.api.GoFileMode;
import dev.skiff.engine.api.Backend.PathStat;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /containers/{id}/archive} over a real unix socket against the real engine
 * ({@link EngineServer}), whose in-memory agent copies with the real agent's archive code: what
 * the docker CLI reads (the stat header's base64 JSON with Go FileMode bits and Go's time form,
 * the tar and its content type), the parameters PUT passes on, and dockerd's errors. Runs as root,
 * as the agent does (the extraction sets owners).
 */
@Timeout(30)
class ArchiveRoutesTest {
    /** The motd's mtime: its fraction rides in a pax record. */
    private static final Instant MTIME = Instant.parse("2023-11-14T22:13:20.12Z");

    @TempDir
    Path dir;
    EngineServer server;
    String id;

    @BeforeEach
    void start() throws Exception {
        server = new EngineServer(dir);
        id = server.create("box", "{\"Image\":\"busybox\"}");
        RawClient.Reply put = put("/containers/box/archive?path=/", tar(file("etc/motd", "hello\n", 0)));
        assertEquals(200, put.status(), put.text());
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private RawClient.Reply call(String method, String target, String body) throws IOException {
        return server.call(method, target, body);
    }

    private RawClient.Reply put(String target, byte[] tar) throws IOException {
        try (RawClient c = new RawClient(server.socket)) {
            return c.request("PUT", target, "application/x-tar", tar);
        }
    }

    private static JsonNode statOf(RawClient.Reply reply) throws IOException {
        return Json.MAPPER.readTree(Base64.getDecoder().decode(reply.header("X-Docker-Container-Path-Stat")));
    }

    /** A tar member and its data. */
    private record Member(TarArchiveEntry entry, byte[] data) {}

    /** A regular file of mode 0644 and mtime {@link #MTIME}, owned by {@code uid}. */
    private static Member file(String name, String content, int uid) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100644);
        e.setSize(data.length);
        e.setIds(uid, uid);
        e.setModTime(FileTime.from(MTIME));
        return new Member(e, data);
    }

    private static Member directory(String name) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_DIR);
        e.setMode(040755);
        return new Member(e, new byte[0]);
    }

    private static byte[] tar(Member... members) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX); // pax records, sub-second times included
            for (Member m : members) {
                tar.putArchiveEntry(m.entry());
                tar.write(m.data());
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }

    private Path root() {
        return server.sharedAgent().root(id);
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
    void getSendsTheTarWithTheStat() throws Exception {
        RawClient.Reply get = call("GET", "/containers/" + id.substring(0, 6) + "/archive?path=%2Fetc%2Fmotd", null);
        assertEquals(200, get.status());
        assertEquals("application/x-tar", get.header("Content-Type"));
        assertEquals("motd", statOf(get).get("name").asText());
        // dockerd sends a tar of the path (moby's TarWithOptions): here one entry named as the file
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(get.body()))) {
            TarArchiveEntry motd = tar.getNextEntry();
            assertEquals("motd", motd.getName());
            assertArrayEquals("hello\n".getBytes(StandardCharsets.UTF_8), tar.readAllBytes());
            assertNull(tar.getNextEntry());
        }
        // The server closes the archive read after the last byte, which ends the copy's hold on
        // the container's VM. A removal releases the VM once the copies holding it end (or after
        // minutes of patience), so a removal that answers at once is the close's event.
        CompletableFuture<RawClient.Reply> removal = CompletableFuture.supplyAsync(() -> {
            try {
                return call("DELETE", "/containers/box", null);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertEquals(204, removal.get(10, TimeUnit.SECONDS).status(), "no copy held the VM");
    }

    /** dockerd keeps what docker cp wrote in a container across its runs: it is in the container's layer. */
    @Test
    void whatACopyWroteOutlivesARun() throws Exception {
        for (int run = 0; run < 2; run++) {
            assertEquals(204, call("POST", "/containers/box/start", null).status());
            assertEquals("{\"StatusCode\":0,\"Error\":null}", call("POST", "/containers/box/wait", null).text().strip());
        }
        assertEquals(200, call("HEAD", "/containers/box/archive?path=/etc/motd", null).status());
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
        RawClient.Reply put = put("/containers/box/archive?path=/etc&noOverwriteDirNonDir=true&copyUIDGID=1",
                tar(file("owned", "mine\n", 1000)));
        assertEquals(200, put.status(), put.text());
        assertEquals("mine\n", Files.readString(root().resolve("etc/owned")));
        assertEquals(1000, Files.getAttribute(root().resolve("etc/owned"), "unix:uid"), "copyUIDGID kept the owner");
        RawClient.Reply refused = put("/containers/box/archive?path=/etc&noOverwriteDirNonDir=true",
                tar(directory("motd/")));
        assertFalse(refused.status() == 200, "noOverwriteDirNonDir refuses a directory over a file: " + refused.text());
        assertTrue(refused.text().contains("cannot overwrite non-directory"), refused.text());
        assertTrue(Files.isRegularFile(root().resolve("etc/motd")));

        put = put("/containers/box/archive?path=/etc&noOverwriteDirNonDir=0", tar(file("owned", "again\n", 1000),
                directory("motd/")));
        assertEquals(200, put.status(), put.text());
        assertEquals(0, Files.getAttribute(root().resolve("etc/owned"), "unix:uid"), "without copyUIDGID: root's");
        assertTrue(Files.isDirectory(root().resolve("etc/motd")), "without noOverwriteDirNonDir: replaced");
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
