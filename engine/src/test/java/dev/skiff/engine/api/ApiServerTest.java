package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static dev.skiff.engine.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.engine.Engine;
import dev.skiff.engine.api.Backend.BindMount;
import dev.skiff.engine.placement.Placement;
import dev.skiff.engine.testing.LogCapture;
import dev.skiff.engine.testing.TestEngine;
import dev.skiff.registry.testing.FaultyProxy;
import dev.skiff.registry.testing.TestRegistry;
import dev.skiff.engine.image.TestArchives;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP layer over a real unix socket, against the real engine over fake VMs
 * ({@link EngineServer}): routing, Docker's error replies, the HTTP framing, and the streams
 * (wait, logs, attach).
 */
@Timeout(30)
class ApiServerTest {
    @TempDir
    Path dir;
    Path socket;
    EngineServer engineServer;
    Engine backend;
    ApiServer server;

    /** The one layer of the registry's test/img: the tiny root file system, gzipped. */
    private static final TestRegistry.Layer LAYER = gzip(rootfs());
    private static final String LAYER_DIGEST = TestRegistry.sha256(LAYER.bytes());
    /** test/broken's layer, which the proxy corrupts. */
    private static final TestRegistry.Layer BROKEN = gzip(TestArchives.tar(TestArchives.files("etc/broken", "x\n")));
    @TempDir
    static Path registryDir;
    /** Debian's docker-registry, started by the first test that pulls or pushes, and a proxy that corrupts a blob. */
    private static TestRegistry registry;
    private static FaultyProxy proxy;
    private static String amd64Digest;
    /** A registry with htpasswd auth, user u with password "right". */
    private static TestRegistry locked;

    private static TestRegistry.Layer gzip(byte[] tar) {
        try {
            return TestRegistry.Layer.gzip(tar);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves test/img (an index: linux/amd64 and linux/arm64 of {@link #LAYER}) and test/broken. */
    private static synchronized TestRegistry registry() throws Exception {
        if (registry == null) {
            registry = TestRegistry.start(registryDir.resolve("open"), "");
            proxy = new FaultyProxy(registry);
            String amd = registry.pushImage("test/img", "amd64", config("amd64", rootfs()), List.of(LAYER));
            String arm = registry.pushImage("test/img", "arm64", config("arm64", rootfs()), List.of(LAYER));
            amd64Digest = amd.split(" ")[0];
            String index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                    + platformManifest(amd, "amd64") + "," + platformManifest(arm, "arm64") + "]}";
            registry.putManifest("test/img", "latest", "application/vnd.oci.image.index.v1+json",
                    index.getBytes(StandardCharsets.UTF_8));
            registry.pushImage("test/broken", "latest",
                    config("amd64", TestArchives.tar(TestArchives.files("etc/broken", "x\n"))), List.of(BROKEN));
            proxy.fault(TestRegistry.sha256(BROKEN.bytes()), FaultyProxy.Fault.CORRUPT);
        }
        return registry;
    }

    private static synchronized TestRegistry locked() throws Exception {
        if (locked == null) {
            Process p = new ProcessBuilder("htpasswd", "-Bbn", "u", "right").redirectErrorStream(true).start();
            String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertEquals(0, p.waitFor(), line);
            Path file = Files.writeString(Files.createDirectories(registryDir.resolve("locked")).resolve("htpasswd"),
                    line + "\n");
            locked = TestRegistry.start(registryDir.resolve("locked"), """
                    auth:
                      htpasswd:
                        realm: skiff-test
                        path: %s
                    """.formatted(file));
        }
        return locked;
    }

    /** An image config for one layer whose uncompressed tar is {@code layer}. */
    private static byte[] config(String architecture, byte[] layer) {
        return ("{\"architecture\":\"" + architecture + "\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + TestRegistry.sha256(layer) + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** An index entry for a manifest pushed as {@code "sha256:... SIZE"}. */
    private static String platformManifest(String pushed, String architecture) {
        String[] digestSize = pushed.split(" ");
        return "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" + digestSize[0]
                + "\",\"size\":" + digestSize[1] + ",\"platform\":{\"architecture\":\"" + architecture
                + "\",\"os\":\"linux\"}}";
    }

    @AfterAll
    static void stopRegistries() throws Exception {
        for (AutoCloseable started : java.util.Arrays.asList(proxy, registry, locked)) {
            if (started != null) {
                started.close();
            }
        }
    }

    @BeforeEach
    void start() throws Exception {
        engineServer = new EngineServer(dir);
        backend = engineServer.engine;
        server = engineServer.server;
        socket = engineServer.socket;
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        engineServer.close();
    }

    private RawClient client() throws IOException {
        return new RawClient(socket);
    }

    private static JsonNode json(RawClient.Reply reply) throws IOException {
        return Json.MAPPER.readTree(reply.body());
    }

    private String create(String body) throws IOException {
        try (RawClient c = client()) {
            RawClient.Reply reply = c.request("POST", "/v1.47/containers/create", body);
            assertEquals(201, reply.status(), reply.text());
            return json(reply).get("Id").asText();
        }
    }

    private RawClient.Reply call(String method, String target, String body) throws IOException {
        try (RawClient c = client()) {
            return c.request(method, target, body);
        }
    }

    /** A root file system to import: TestEngine's tiny one. */
    private static byte[] rootfs() {
        return TestArchives.tar(TestArchives.files("etc/", null, "etc/hostname", "tiny\n"));
    }

    @Test
    void pingAnswersHeadAndGetWithDockersHeaders() throws IOException {
        try (RawClient c = client()) {
            RawClient.Reply head = c.request("HEAD", "/_ping", null);
            assertEquals(200, head.status());
            assertEquals("1.47", head.header("Api-Version"));
            assertEquals("linux", head.header("Ostype"));
            assertEquals("false", head.header("Docker-Experimental"));
            assertEquals("Skiff/0.1.0", head.header("Server"));
            assertEquals(0, head.body().length);
            RawClient.Reply get = c.request("GET", "/v1.47/_ping", null); // same connection: keep-alive
            assertEquals("OK", get.text());
            assertTrue(get.header("Content-Type").startsWith("text/plain"));
        }
    }

    @Test
    void eachCallIsADebugLineWithItsStatusAndDuration() throws Exception {
        try (LogCapture log = LogCapture.of(Router.class); RawClient c = client()) {
            assertEquals(200, c.request("GET", "/v1.47/_ping", null).status());
            assertEquals(404, c.request("GET", "/no-such-route", null).status());
            log.await(l -> l.matches("GET /v1\\.47/_ping 200 \\d+ ms"), java.time.Duration.ofSeconds(5));
            log.await(l -> l.matches("GET /no-such-route 404 \\d+ ms"), java.time.Duration.ofSeconds(5));
        }
    }

    @Test
    void routesWithAndWithoutVersionPrefix() throws IOException {
        try (RawClient c = client()) {
            JsonNode version = json(c.request("GET", "/version", null));
            assertEquals("27.5.1", version.get("Version").asText(), "the Docker release whose API Skiff serves");
            assertEquals("Skiff 0.1.0", version.get("Platform").get("Name").asText());
            JsonNode v = json(c.request("GET", "/v1.41/version", null));
            assertEquals("1.47", v.get("ApiVersion").asText());
            assertEquals("Engine", v.get("Components").get(0).get("Name").asText());
            assertTrue(json(c.request("GET", "/v1.47/containers/json", null)).isArray());
            assertTrue(json(c.request("GET", "/v1.24/containers/json", null)).isArray());
        }
    }

    /** The engine, but for two calls that fail as the engine should not: a bug of its own, a full disk. */
    private Backend faulty() {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("inspectImage") && "a-bug".equals(args[0])) {
                        throw new IllegalStateException("the engine's own bug");
                    }
                    if (method.getName().equals("saveImages") && ((List<?>) args[0]).contains("a-full-disk")) {
                        throw new IOException("No space left on device: /var/lib/skiff/images/tmp");
                    }
                    try {
                        return method.invoke(backend, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aHandlersOwnFailureIsA500WithoutJavaDetailsAndItsIoFailureIsNamed() throws IOException {
        server.close();
        server = new ApiServer(faulty());
        server.start(socket);
        RawClient.Reply bug = call("GET", "/v1.47/images/a-bug/json", null);
        assertEquals(500, bug.status());
        assertEquals("{\"message\":\"Skiff failed to serve GET /images/a-bug/json because of an error of its own; the"
                + " daemon's log has the details\"}", bug.text());
        RawClient.Reply io = call("GET", "/v1.47/images/get?names=a-full-disk", null);
        assertEquals(500, io.status(), "not a closed connection");
        assertEquals("{\"message\":\"internal I/O error while handling GET /images/get; see the daemon log\"}",
                io.text(), "the exception's own text (a host path, a Java class) stays in the daemon's log");
    }

    /** A Content-Length other than 1*DIGIT (RFC 9110 section 8.6) is a 400 before any handler runs. */
    @Test
    void aContentLengthThatIsNotDigitsIsA400BeforeTheHandler() throws IOException {
        List<String> bad = List.of("Content-Length: +2", "Content-Length: -1", "Content-Length: 0x10",
                "Content-Length: 1,1", "Content-Length: 1 1", "Content-Length: ", "Content-Length: 99999999999999999999",
                "Content-Length: 2\r\nContent-Length: 3", "Content-Length : 2");
        for (String field : bad) {
            try (RawClient c = client()) {
                c.send("POST /v1.47/volumes/create HTTP/1.1\r\nHost: d\r\n" + field + "\r\n\r\n{}");
                RawClient.Reply reply = c.readReply(false);
                assertEquals(400, reply.status(), field);
                assertTrue(json(reply).get("message").asText().startsWith("malformed HTTP request: "), reply.text());
                assertEquals("close", reply.header("Connection"), field);
            }
        }
        assertEquals(List.of(), backend.volumes(), "no handler ran");
        RawClient.Reply message = null;
        try (RawClient c = client()) {
            c.send("POST /v1.47/volumes/create HTTP/1.1\r\nHost: d\r\nContent-Length: +2\r\n\r\n{}");
            message = c.readReply(false);
        }
        assertEquals("{\"message\":\"malformed HTTP request: bad Content-Length '+2': it must be a decimal number"
                + " of bytes\"}", message.text());
        try (RawClient c = client()) { // repeated with one value: taken as that value (RFC 9112 section 6.3)
            c.send("POST /v1.47/volumes/create HTTP/1.1\r\nHost: d\r\nContent-Length: 2\r\nContent-Length:  2\r\n"
                    + "\r\n{}");
            assertEquals(201, c.readReply(false).status());
        }
    }

    @Test
    void versionsOutsideTheServedRangeAreRefusedAsDockerdDoes() throws IOException {
        RawClient.Reply old = call("GET", "/v1.12/version", null);
        assertEquals(400, old.status());
        assertEquals("{\"message\":\"client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade"
                + " your client to a newer version\"}", old.text());
        RawClient.Reply next = call("GET", "/v1.99/containers/json", null);
        assertEquals(400, next.status());
        assertEquals("{\"message\":\"client version 1.99 is too new. Maximum supported API version is 1.47\"}",
                next.text());
        assertEquals(400, call("GET", "/v2/version", null).status());
    }

    @Test
    void unknownRouteIsDockersPageNotFoundNamingTheRoute() throws IOException {
        RawClient.Reply reply = call("GET", "/v1.47/nothing/here", null);
        assertEquals(404, reply.status());
        assertEquals("{\"message\":\"page not found: GET /nothing/here is not part of the Docker Engine API\"}",
                reply.text());
        assertEquals("application/json", reply.header("Content-Type"));
        assertEquals("1.47", reply.header("Api-Version"));
    }

    @Test
    void engineErrorsBecomeStatusAndMessage() throws IOException {
        RawClient.Reply missing = call("GET", "/containers/nope/json", null);
        assertEquals(404, missing.status());
        assertEquals("No such container: nope", json(missing).get("message").asText());
        RawClient.Reply noImage = call("GET", "/images/library/nope:1.0/json", null);
        assertEquals(404, noImage.status());
        assertEquals("No such image: library/nope:1.0", json(noImage).get("message").asText());

        RawClient.Reply first = call("POST", "/containers/create?name=web", "{\"Image\":\"busybox\"}");
        assertEquals(201, first.status());
        RawClient.Reply second = call("POST", "/containers/create?name=web", "{\"Image\":\"busybox\"}");
        assertEquals(409, second.status());
        assertTrue(json(second).get("message").asText().contains("already in use"));
    }

    @Test
    void badJsonAndBadParametersAre400() throws IOException {
        RawClient.Reply badJson = call("POST", "/containers/create", "{\"Image\": ");
        assertEquals(400, badJson.status());
        assertTrue(json(badJson).get("message").asText().startsWith("failed to parse request body as JSON"));
        assertEquals(400, call("POST", "/containers/create", "{\"Image\":\"busybox\",\"Tty\":\"yes\"}").status());
        assertEquals(400, call("POST", "/containers/create?name=-bad", "{\"Image\":\"busybox\"}").status());
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"sleep\"]}");
        RawClient.Reply badTimeout = call("POST", "/containers/" + id + "/stop?t=soon", null);
        assertEquals(400, badTimeout.status());
        assertEquals("invalid value for t: soon is not an integer", json(badTimeout).get("message").asText());
        assertEquals(400, call("POST", "/containers/" + id + "/wait?condition=later", null).status());
        assertEquals(400, call("POST", "/containers/create",
                "{\"Image\":\"busybox\",\"HostConfig\":{\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"v\"}]}}")
                .status());
    }

    @Test
    void createMapsDockersConfigToCreateSpec() throws Exception {
        // host folders of the test's own: -v creates a missing one (as docker does), --mount wants it there
        String host = dir.toString();
        Files.createDirectories(dir.resolve("m"));
        String id = create("""
                {"Image":"busybox","Cmd":"ls","Entrypoint":[""],"Env":["A=1"],"WorkingDir":"/w","User":"1:2",
                 "Hostname":"h","Tty":true,"OpenStdin":true,"StdinOnce":true,"Labels":{"k":"v"},
                 "StopSignal":"SIGINT","StopTimeout":7,"Unknown":{"ignored":true},
                 "HostConfig":{"Binds":["HOST/data:/data:ro","HOST/src:/src"],"AutoRemove":true,"Isolation":"hyperv",
                   "Mounts":[{"Type":"bind","Source":"HOST/m","Target":"/mnt","ReadOnly":true}]}}"""
                .replace("HOST", host));
        Backend.CreateSpec spec = backend.inspectContainer(id).spec();
        assertEquals(List.of("ls"), spec.cmd());
        assertEquals(List.of(), spec.entrypoint());
        // inspect's env is the container's: the request's, with the image's merged in (here runc's PATH alone)
        assertEquals(List.of("A=1", dev.skiff.agent.client.OciSpec.DEFAULT_PATH), spec.env());
        assertEquals("1:2", spec.user());
        assertTrue(spec.tty() && spec.openStdin() && spec.stdinOnce() && spec.autoRemove());
        assertEquals(Map.of("k", "v"), spec.labels());
        assertEquals("hyperv", spec.isolation());
        assertEquals("SIGINT", spec.stopSignal());
        assertEquals(7, spec.stopTimeout());
        assertEquals(List.of(new BindMount(host + "/data", "/data", true, true),
                new BindMount(host + "/src", "/src", false, true), new BindMount(host + "/m", "/mnt", true, false)),
                spec.binds());

        Backend.CreateSpec plain = backend.inspectContainer(create("{\"Image\":\"busybox\"}")).spec();
        assertNull(plain.entrypoint());
        assertEquals(List.of(), plain.cmd());
    }

    @Test
    void inspectAndListUseDockersShapes() throws IOException {
        String bind = dir.resolve("a") + ":/b";
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"echo\",\"hi\"],\"HostConfig\":{\"Binds\":[\"" + bind + "\"]}}");
        JsonNode inspect = json(call("GET", "/containers/" + id + "/json", null));
        assertEquals(id, inspect.get("Id").asText());
        assertEquals("echo", inspect.get("Path").asText());
        assertEquals("hi", inspect.get("Args").get(0).asText());
        assertEquals("created", inspect.get("State").get("Status").asText());
        assertEquals("0001-01-01T00:00:00Z", inspect.get("State").get("StartedAt").asText());
        assertEquals("/skiff_" + id.substring(0, 8), inspect.get("Name").asText(), "the engine's name for it");
        assertEquals(bind, inspect.get("HostConfig").get("Binds").get(0).asText());
        assertEquals("/b", inspect.get("Mounts").get(0).get("Destination").asText());
        assertFalse(inspect.get("Config").get("Tty").asBoolean());

        assertEquals(0, json(call("GET", "/containers/json", null)).size());
        JsonNode all = json(call("GET", "/containers/json?all=1", null));
        assertEquals(1, all.size());
        assertEquals("Created", all.get(0).get("Status").asText());
        assertEquals("created", all.get(0).get("State").asText());
        assertEquals("echo hi", all.get(0).get("Command").asText());
        assertTrue(all.get(0).get("Names").get(0).asText().startsWith("/"));
    }

    @Test
    void startTwiceIsNotModified() throws IOException {
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"sleep\"]}");
        RawClient.Reply first = call("POST", "/containers/" + id + "/start", null);
        assertEquals(204, first.status());
        RawClient.Reply again = call("POST", "/containers/" + id + "/start", null);
        assertEquals(304, again.status());
        assertEquals(0, again.body().length);
        assertEquals(204, call("POST", "/containers/" + id + "/kill", null).status());
        assertEquals(List.of(9), engineServer.sharedAgent().signalsSent(id), "kill's default: SIGKILL");
        assertEquals(204, call("DELETE", "/containers/" + id + "?force=1&v=1", null).status());
        assertEquals(404, call("GET", "/containers/" + id + "/json", null).status());
    }

    @Test
    void imagesByReferenceWithSlashAndColon() throws Exception {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        backend.importImage(new ByteArrayInputStream(rootfs()), "library/alpine", "3.20",
                Map.of("CMD", "[\"sh\"]"), line -> { });
        RawClient.Reply reply = call("GET", "/v1.47/images/library/alpine:3.20/json", null);
        assertEquals(200, reply.status(), reply.text());
        JsonNode image = json(reply);
        assertEquals("layers", image.get("RootFS").get("Type").asText());
        // an import is created when it is made, in Go's RFC 3339 form
        String created = image.get("Created").asText();
        assertTrue(created.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,9})?Z"), created);
        assertFalse(Instant.parse(created).isBefore(before), created);
        assertEquals("sh", image.get("Config").get("Cmd").get(0).asText());
        assertEquals("sh", image.get("ContainerConfig").get("Cmd").get(0).asText(), "older clients still read it");
        JsonNode list = json(call("GET", "/images/json", null));
        assertEquals(2, list.size());
        assertEquals(list.get(0).get("Size").asLong(), list.get(0).get("VirtualSize").asLong());
        JsonNode deleted = json(call("DELETE", "/images/library/alpine:3.20?force=1", null));
        // dockerd names what it untagged in the familiar form (reference.FamiliarString): no "library/"
        assertEquals("alpine:3.20", deleted.get(0).get("Untagged").asText());
    }

    @Test
    void chunkedRequestBodyAndKeepAlive() throws Exception {
        byte[] archive = saved("alpine:3", "skiff/tool:1");
        try (RawClient c = client()) {
            c.send("POST /v1.47/images/load?quiet=0 HTTP/1.1\r\nHost: docker\r\nTransfer-Encoding: chunked\r\n"
                    + "Content-Type: application/x-tar\r\n\r\n");
            c.send(RawClient.chunked(archive, 1000));
            RawClient.Reply reply = c.readReply(false);
            assertEquals(200, reply.status());
            assertEquals("application/json", reply.header("Content-Type"));
            List<String> lines = reply.text().lines().toList();
            assertTrue(lines.getFirst().startsWith("{\"stream\":\"Loading layer "), reply.text());
            assertEquals(List.of("{\"stream\":\"Loaded image: alpine:3\\n\"}", "{\"stream\":\"Loaded image: skiff/tool:1\\n\"}"),
                    lines.subList(lines.size() - 2, lines.size()), reply.text());
            assertEquals(200, c.request("GET", "/images/skiff/tool:1/json", null).status());
        }
    }

    /** A docker save archive of the test image under these names, which are then removed again. */
    private byte[] saved(String... names) throws Exception {
        for (String name : names) {
            engineServer.test.images.tag(TestEngine.IMAGE, name);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        backend.saveImages(List.of(names), out);
        for (String name : names) {
            backend.removeImage(name, false);
        }
        return out.toByteArray();
    }

    /** The manifest.json of a docker save archive. */
    private static JsonNode manifest(byte[] archive) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(archive))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.getName().equals("manifest.json")) {
                    return Json.MAPPER.readTree(tar.readAllBytes());
                }
            }
        }
        throw new AssertionError("no manifest.json in the archive");
    }

    @Test
    void loadErrorBeforeOutputIsAStatus() throws IOException {
        RawClient.Reply reply = call("POST", "/images/load", "corrupt\n");
        assertEquals(400, reply.status());
        assertEquals("invalid archive: it holds neither manifest.json (docker save) nor index.json (OCI image layout);"
                + " it is empty", json(reply).get("message").asText());
    }

    @Test
    void importTakesTheBodyAndSplitsRepoTag() throws Exception {
        RawClient.Reply reply;
        try (RawClient c = client()) {
            reply = c.request("POST", "/images/create?fromSrc=-&repo=skiff/base:v2&tag=&changes=CMD+%5B%22sh%22%5D"
                    + "&changes=ENV+A%3D1&changes=ENV+B%3D2", "application/x-tar", rootfs());
        }
        assertEquals(200, reply.status(), reply.text());
        Backend.ImageDetail image = backend.inspectImage("skiff/base:v2");
        // progress first, then the new image's id as the last status, as dockerd's ImportImage
        assertEquals("{\"status\":\"" + image.summary().id() + "\"}", reply.text().lines().toList().getLast());
        assertEquals(List.of("sh"), image.config().cmd());
        assertTrue(image.config().env().containsAll(List.of("A=1", "B=2")), image.config().env().toString());
    }

    @Test
    void pullStreamsDockersProgressMessages() throws Exception {
        String ref = registry().host() + "/test/img";
        RawClient.Reply reply;
        try (RawClient c = client()) {
            c.send("POST /images/create?fromImage=" + ref + "&tag=latest&platform=linux/arm64 HTTP/1.1\r\n"
                    + "Host: docker\r\nX-Registry-Auth: e30=\r\nContent-Length: 0\r\n\r\n");
            reply = c.readReply(false);
        }
        assertEquals(200, reply.status(), reply.text());
        assertEquals("arm64", backend.inspectImage(ref).architecture(), "the platform picked from the index");
        List<String> lines = reply.text().lines().toList();
        assertEquals("{\"status\":\"Pulling from test/img\",\"id\":\"latest\"}", lines.get(0));
        String layer = LAYER_DIGEST.substring(7, 19);
        // an empty progressDetail is what makes the CLI redraw a layer's line in place
        assertTrue(lines.contains("{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"" + layer + "\"}"),
                reply.text());
        long size = LAYER.bytes().length;
        assertTrue(lines.stream().anyMatch(l -> l.matches("\\{\"status\":\"Downloading\",\"progressDetail\":"
                + "\\{\"current\":\\d+,\"total\":" + size + "},\"id\":\"" + layer + "\"}")), reply.text());
        assertEquals("{\"status\":\"Status: Downloaded newer image for " + ref + ":latest\"}", lines.getLast());
    }

    @Test
    void pullByDigestJoinsTheTagFieldWithAnAt() throws Exception {
        String ref = registry().host() + "/test/img";
        assertEquals(200, call("POST", "/images/create?fromImage=" + ref + "&tag=" + amd64Digest, null).status());
        assertEquals("amd64", backend.inspectImage(ref + "@" + amd64Digest).architecture());
    }

    @Test
    void pullFailingBeforeAnyMessageIsAnHttpError() throws Exception {
        String ref = registry().host() + "/nosuch";
        RawClient.Reply reply = call("POST", "/images/create?fromImage=" + ref + "&tag=latest", null);
        assertEquals(404, reply.status());
        // the registry's error code and its message, both "manifest unknown", as dockerd prints them
        assertEquals("manifest for " + ref + ":latest not found: manifest unknown: manifest unknown",
                json(reply).get("message").asText());
    }

    @Test
    void pullFailingMidStreamEndsTheStreamWithAnErrorMessage() throws Exception {
        registry();
        RawClient.Reply reply = call("POST", "/images/create?fromImage=" + proxy.host() + "/test/broken&tag=latest", null);
        assertEquals(200, reply.status());
        JsonNode last = Json.MAPPER.readTree(reply.text().lines().toList().getLast());
        String digest = TestRegistry.sha256(BROKEN.bytes());
        assertTrue(last.get("error").asText().contains(digest), "names the layer: " + reply.text());
        assertEquals(last.get("error").asText(), last.path("errorDetail").path("message").asText());
    }

    @Test
    void saveStreamsTheArchiveOrFailsBeforeTheFirstByte() throws IOException {
        RawClient.Reply all = call("GET", "/images/get?names=busybox&names=busybox:latest", null);
        assertEquals(200, all.status(), all.text());
        assertEquals("application/x-tar", all.header("Content-Type"));
        assertEquals("[\"busybox:latest\"]", manifest(all.body()).get(0).get("RepoTags").toString(),
                "one image, named once");
        RawClient.Reply one = call("GET", "/images/busybox:latest/get", null);
        assertEquals("[\"busybox:latest\"]", manifest(one.body()).get(0).get("RepoTags").toString());
        RawClient.Reply missing = call("GET", "/images/get?names=busybox&names=nosuch", null);
        assertEquals(404, missing.status());
        assertEquals(400, call("GET", "/images/get", null).status());
    }

    @Test
    void pushStreamsProgressAndEndsWithAnAuxMessage() throws Exception {
        String name = registry().host() + "/pushed/busybox";
        backend.tagImage("busybox", name, "latest");
        RawClient.Reply reply = call("POST", "/images/" + name + "/push?tag=latest", null);
        assertEquals(200, reply.status(), reply.text());
        List<String> lines = reply.text().lines().toList();
        assertEquals("{\"status\":\"The push refers to repository [" + name + "]\"}", lines.get(0));
        // dockerd's PushResult: the tag, and the digest and size of the manifest pushed
        JsonNode aux = Json.MAPPER.readTree(lines.getLast()).get("aux");
        assertEquals("latest", aux.get("Tag").asText(), lines.getLast());
        assertTrue(aux.get("Digest").asText().matches("sha256:[0-9a-f]{64}") && aux.get("Size").asLong() > 0, lines.getLast());
        assertEquals(404, call("POST", "/images/nosuch/push?tag=1", null).status());
    }

    @Test
    void volumesAreCreatedListedInspectedAndRemovedInDockersJson() throws IOException {
        RawClient.Reply created = call("POST", "/volumes/create", "{\"Name\":\"pgdata\",\"Labels\":{\"app\":\"db\"}}");
        assertEquals(201, created.status(), created.text());
        JsonNode v = json(created);
        assertEquals("pgdata", v.get("Name").asText());
        assertEquals("local", v.get("Driver").asText());
        assertEquals("local", v.get("Scope").asText());
        assertEquals("db", v.get("Labels").get("app").asText());
        JsonNode list = json(call("GET", "/volumes?filters=%7B%22label%22%3A%5B%22app%3Ddb%22%5D%7D", null));
        assertEquals(1, list.get("Volumes").size());
        assertEquals(0, json(call("GET", "/volumes?filters=%7B%22name%22%3A%5B%22nosuch%22%5D%7D", null))
                .get("Volumes").size());
        assertEquals(400, call("GET", "/volumes?filters=%7B%22colour%22%3A%5B%22red%22%5D%7D", null).status());
        assertEquals("pgdata", json(call("GET", "/volumes/pgdata", null)).get("Name").asText());
        assertEquals(204, call("DELETE", "/volumes/pgdata", null).status());
        assertEquals(404, call("DELETE", "/volumes/pgdata", null).status());
        assertEquals(204, call("DELETE", "/volumes/pgdata?force=1", null).status());
        assertEquals(201, call("POST", "/volumes/create", "{\"Name\":\"spare\"}").status());
        RawClient.Reply kept = call("POST", "/volumes/prune", null);
        assertEquals(200, kept.status(), kept.text());
        assertEquals(1, json(call("GET", "/volumes", null)).get("Volumes").size(), "a named volume stays without all");
        RawClient.Reply pruned = call("POST", "/volumes/prune?filters=%7B%22all%22%3A%5B%22true%22%5D%7D", null);
        assertEquals(200, pruned.status());
        assertEquals("[\"spare\"]", json(pruned).get("VolumesDeleted").toString(), "all=true reached the engine");
    }

    @Test
    void eventsSinceAndUntilWithFiltersInDockersShape() throws IOException {
        backend.events().publish("container", "create", "c1", Map.of("name", "web", "image", "busybox", "app", "shop"));
        backend.events().publish("container", "die", "c1", Map.of("name", "web", "image", "busybox", "exitCode", "3"));
        backend.events().publish("volume", "create", "data", Map.of("driver", "local"));
        long until = java.time.Instant.now().getEpochSecond() + 1;
        RawClient.Reply all = call("GET", "/events?since=0&until=" + until, null);
        assertEquals(200, all.status());
        List<String> lines = all.text().lines().toList();
        assertEquals(3, lines.size(), all.text());
        JsonNode die = Json.MAPPER.readTree(lines.get(1));
        assertEquals("die", die.get("Action").asText());
        assertEquals("die", die.get("status").asText(), "the legacy fields docker-py still reads");
        assertEquals("c1", die.get("id").asText());
        assertEquals("busybox", die.get("from").asText());
        assertEquals("3", die.get("Actor").get("Attributes").get("exitCode").asText());
        assertEquals("local", die.get("scope").asText());
        String byType = call("GET", "/events?since=0&until=" + until
                + "&filters=%7B%22type%22%3A%5B%22volume%22%5D%7D", null).text();
        assertEquals(1, byType.lines().count(), byType);
        String byLabel = call("GET", "/events?since=0&until=" + until
                + "&filters=%7B%22label%22%3A%5B%22app%3Dshop%22%5D%7D", null).text();
        assertEquals(1, byLabel.lines().count(), byLabel);
        assertEquals(400, call("GET", "/events?filters=%7B%22colour%22%3A%5B%22x%22%5D%7D", null).status());
    }

    @Test
    void healthStatusEventsMatchTheirPrefixAsDockerdsFilterDoes() throws IOException {
        backend.events().publish("container", "health_status: healthy", "c1", Map.of("name", "web", "image", "busybox"));
        backend.events().publish("container", "start", "c1", Map.of("name", "web", "image", "busybox"));
        long until = java.time.Instant.now().getEpochSecond() + 1;
        String health = call("GET", "/events?since=0&until=" + until
                + "&filters=%7B%22event%22%3A%5B%22health_status%22%5D%7D", null).text();
        assertEquals(1, health.lines().count(), health);
        assertEquals("health_status: healthy", Json.MAPPER.readTree(health).get("status").asText());
    }

    @Test
    void updateAnswersWithNoWarningsAndUnknownContainersAre404() throws Exception {
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"sleep\"]}");
        RawClient.Reply ok = call("POST", "/containers/" + id + "/update", "{\"RestartPolicy\":{\"Name\":\"always\"}}");
        assertEquals(200, ok.status(), ok.text());
        assertEquals("{\"Warnings\":[]}", ok.text());
        assertEquals(new Backend.RestartPolicy("always", 0), backend.inspectContainer(id).spec().restartPolicy());
        RawClient.Reply missing = call("POST", "/containers/nosuch/update", "{}");
        assertEquals(404, missing.status());
        assertEquals("No such container: nosuch", json(missing).get("message").asText());
    }

    @Test
    void loginAnswersAsDockerdDoes() throws Exception {
        String host = locked().host();
        RawClient.Reply ok = call("POST", "/auth",
                "{\"username\":\"u\",\"password\":\"right\",\"serveraddress\":\"" + host + "\"}");
        assertEquals(200, ok.status(), ok.text());
        assertEquals("Login Succeeded", json(ok).get("Status").asText());
        assertEquals("", json(ok).get("IdentityToken").asText());
        RawClient.Reply wrong = call("POST", "/auth",
                "{\"username\":\"u\",\"password\":\"wrong\",\"serveraddress\":\"" + host + "\"}");
        assertEquals(401, wrong.status());
        assertTrue(json(wrong).get("message").asText().contains("401 Unauthorized"), wrong.text());
        assertEquals(400, call("POST", "/auth", "{\"username\": 7}").status());
    }

    @Test
    void waitSendsHeadersBeforeTheResult() throws IOException {
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"sleep\"]}");
        try (RawClient c = client()) {
            c.send("POST /v1.47/containers/" + id + "/wait?condition=next-exit HTTP/1.1\r\nHost: d\r\n\r\n");
            RawClient.Reply head = c.readHead(); // arrives although the container has not even started
            assertEquals(200, head.status());
            assertEquals("chunked", head.header("Transfer-Encoding"));
            assertEquals(204, call("POST", "/containers/" + id + "/start", null).status());
            long stopping = System.nanoTime();
            assertEquals(204, call("POST", "/containers/" + id + "/stop?t=3", null).status());
            // sleep, as a container's init, ignores SIGTERM: SIGKILL ends it once t's 3 s have passed
            assertTrue(System.nanoTime() - stopping >= 3_000_000_000L, "the stop waited t=3 seconds");
            assertEquals(List.of(15, 9), engineServer.sharedAgent().signalsSent(id));
            assertEquals("{\"StatusCode\":137,\"Error\":null}\n", new String(c.readChunk(), StandardCharsets.UTF_8));
            assertNull(c.readChunk());
        }
    }

    /** Found by ApiFuzzTest: a wait for a container that never stops held its thread and slot after the client went. */
    @Test
    void aWaitWhoseClientWentEnds() throws IOException {
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"sleep\"]}");
        try (RawClient c = client()) {
            c.send("POST /v1.47/containers/" + id + "/wait?condition=next-exit HTTP/1.1\r\nHost: d\r\n\r\n");
            RawClient.Reply head = c.readHead();
            assertEquals(200, head.status());
            assertEquals("close", head.header("Connection"), "not reused: the server reads what follows");
            c.channel.shutdownOutput();
            assertEquals(-1, c.in.read(), "the server closed without a result");
        }
    }

    /** Found by ApiFuzzTest: an event stream that a filter kept silent outlived its client until a matching event. */
    @Test
    void anEventStreamWhoseClientWentEndsWithoutAnEvent() throws IOException {
        try (RawClient c = client()) {
            c.send("GET /v1.47/events?filters=%7B%22type%22%3A%5B%22volume%22%5D%7D HTTP/1.1\r\nHost: d\r\n\r\n");
            RawClient.Reply head = c.readHead();
            assertEquals(200, head.status());
            assertEquals("close", head.header("Connection"));
            c.channel.shutdownOutput();
            assertEquals(-1, c.in.read(), "the server closed the stream without an event");
        }
    }

    /** Found by ApiFuzzTest: a reference filter that is no glob was a PatternSyntaxException, a 500. */
    @Test
    void aBadReferenceGlobIsA400() throws IOException {
        RawClient.Reply reply = call("GET", "/v1.47/images/json?filters=%7B%22reference%22%3A%5B%22%5B%22%5D%7D", null);
        assertEquals(400, reply.status(), reply.text());
        assertEquals("invalid filter 'reference=[': Missing ']", json(reply).get("message").asText());
        reply = call("GET", "/v1.47/images/json?filters=%7B%22reference%22%3A%5B%22busy*%22%5D%7D", null);
        assertEquals(1, json(reply).size(), "a good glob still matches");
    }

    /** Found by ApiFuzzTest: Jackson's messages named its settings and getters; now line and column instead. */
    @Test
    void malformedJsonIsA400NamingNoJacksonInternals() throws IOException {
        RawClient.Reply truncated = call("POST", "/v1.47/volumes/create", "{\"Name\":[\"a\"");
        assertEquals(400, truncated.status());
        assertEquals("failed to parse request body as JSON: Unexpected end-of-input: expected close marker for"
                + " Array (line 1, column 13)", json(truncated).get("message").asText());
        RawClient.Reply deep = call("POST", "/v1.47/containers/create", "[".repeat(2000));
        assertEquals("failed to parse request body as JSON: Document nesting depth (1001) exceeds the maximum"
                + " allowed (1000)", json(deep).get("message").asText());
        RawClient.Reply control = call("POST", "/v1.47/volumes/create", "\u001e{}");
        assertEquals("failed to parse request body as JSON: Illegal character ((CTRL-CHAR, code 30)): only regular"
                + " white space (\\r, \\n, \\t) is allowed between tokens (line 1, column 2)",
                json(control).get("message").asText());
        RawClient.Reply plus = call("POST", "/v1.47/volumes/create", "+7");
        assertEquals("failed to parse request body as JSON: Unexpected character ('+' (code 43)) in numeric value:"
                + " JSON spec does not allow numbers to have plus signs (line 1, column 2)",
                json(plus).get("message").asText());
        RawClient.Reply filters = call("GET", "/v1.47/volumes?filters=%7B%22label%22", null);
        assertEquals("invalid filter: the filters parameter is not JSON: Unexpected end-of-input"
                + " within/between Object entries (line 1, column 9)", json(filters).get("message").asText());
    }

    @Test
    void logsAreMultiplexedUnlessTty() throws Exception {
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"fail\"]}");
        String echo = create("{\"Image\":\"busybox\",\"Cmd\":[\"echo\",\"hello\"]}");
        String tty = create("{\"Image\":\"busybox\",\"Cmd\":[\"echo\",\"raw\"],\"Tty\":true}");
        for (String c : List.of(id, echo, tty)) {
            call("POST", "/containers/" + c + "/start", null);
            backend.waitContainer(c, Backend.WaitCondition.NOT_RUNNING).get();
        }
        RawClient.Reply err = call("GET", "/containers/" + id + "/logs?stdout=1&stderr=1", null);
        assertEquals(Streams.MULTIPLEXED, err.header("Content-Type"));
        assertEquals("2:oops\n", RawClient.frames(err.body()));
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0, 0, 5}, java.util.Arrays.copyOf(err.body(), 8));
        assertEquals("", RawClient.frames(call("GET", "/containers/" + id + "/logs?stdout=1", null).body()));
        assertEquals("1:hello\n", RawClient.frames(call("GET", "/containers/" + echo + "/logs?stdout=1&tail=all",
                null).body()));
        RawClient.Reply raw = call("GET", "/containers/" + tty + "/logs?stdout=1", null);
        assertEquals(Streams.RAW, raw.header("Content-Type"));
        assertEquals("raw\n", raw.text());
        assertEquals(400, call("GET", "/containers/" + id + "/logs", null).status());
        assertEquals(400, call("GET", "/containers/" + id + "/logs?stdout=1&tail=-3", null).status());
    }

    @Test
    void logsFollowStreamsFramesAsTheyCome() throws Exception {
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"cat\"],\"OpenStdin\":true}");
        call("POST", "/containers/" + id + "/start", null);
        Backend.Attachment input = backend.attach(id, true, false, false, false, false);
        input.stdin().write("one\n".getBytes(StandardCharsets.UTF_8));
        input.stdin().flush();
        try (RawClient c = client()) {
            c.send("GET /containers/" + id + "/logs?follow=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: d\r\n\r\n");
            assertEquals(200, c.readHead().status());
            assertEquals("1:one\n", RawClient.frames(c.readChunk()));
            input.stdin().write("two\n".getBytes(StandardCharsets.UTF_8));
            input.stdin().flush();
            assertEquals("1:two\n", RawClient.frames(c.readChunk()));
            input.stdin().close(); // cat exits: the stream ends
            assertNull(c.readChunk());
            // "one", written before the request, came first: the default tail is all of the log
        }
    }

    /**
     * A follow of a container that prints nothing more ends when its client goes: before, the handler's
     * thread (and its place in the container's output) waited for a next write that never came.
     */
    @Test
    void aLogsFollowOfASilentContainerEndsWhenItsClientGoes() throws Exception {
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"sleep\"]}");
        call("POST", "/containers/" + id + "/start", null);
        try (RawClient c = client()) {
            c.send("GET /v1.47/containers/" + id + "/logs?follow=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: d\r\n\r\n");
            // (the reply's head waits for a first frame, which a silent container never gives)
            assertTrue(eventually(() -> server.connections(ConnectionTable.Phase.BUSY) == 1), "the follow started");
        }
        // the handler's end closes its follow, which leaves the container's output
        assertTrue(eventually(() -> server.connections(ConnectionTable.Phase.BUSY) == 0), "the follow ended with its client");
    }

    @Test
    void attachHijacksAndHalfCloseEndsStdin() throws Exception {
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"cat\"],\"OpenStdin\":true,\"StdinOnce\":true}");
        try (RawClient c = client()) {
            c.send("POST /v1.47/containers/" + id + "/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\n"
                    + "Host: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
            RawClient.Reply head = c.readHead();
            assertEquals(101, head.status());
            assertEquals("UPGRADED", head.reason());
            assertEquals("tcp", head.header("Upgrade"));
            assertEquals("Upgrade", head.header("Connection"));
            assertEquals(Streams.MULTIPLEXED, head.header("Content-Type"));
            assertEquals(204, call("POST", "/containers/" + id + "/start", null).status());
            c.send("hello\n");
            Object[] frame = RawClient.readFrame(c.in);
            assertEquals(1, frame[0]);
            assertEquals("hello\n", frame[1]);
            c.channel.shutdownOutput(); // the CLI's CloseWrite when its stdin ends
            assertNull(RawClient.readFrame(c.in)); // cat saw EOF, exited, pump returned, connection closed
        }
        assertEquals(0, backend.waitContainer(id, Backend.WaitCondition.NOT_RUNNING).get());
    }

    /**
     * An attach to a container that prints nothing ends when its client hangs up (closes both ways):
     * before, its thread and its place in the container's output stayed until a next write that
     * never came. The container goes on.
     */
    @Test
    void anAttachToASilentContainerEndsWhenItsClientHangsUp() throws Exception {
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"sleep\"],\"OpenStdin\":true}");
        assertEquals(204, call("POST", "/containers/" + id + "/start", null).status());
        try (RawClient c = client()) {
            c.send("POST /v1.47/containers/" + id + "/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\n"
                    + "Host: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
            assertEquals(101, c.readHead().status());
            assertEquals(1, backend.outputSubscribers(id));
        } // closed both ways, and nothing printed since
        assertTrue(eventually(() -> subscribers(id) == 0), "the attach left the container's output");
        assertTrue(eventually(() -> server.connections(ConnectionTable.Phase.BUSY) == 0), "the handler returned");
        assertTrue(backend.inspectContainer(id).summary().state().running(), "the container still runs");
    }

    /** A client that half-closes (its stdin ended, as docker attach does) is not gone: output after it still comes. */
    @Test
    void aHalfClosedAttachStillGetsOutput() throws Exception {
        engineServer.test.driver.program("speak", p -> {
            while (true) {
                p.nextSignal();
                p.stdout("after\n");
            }
        });
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"speak\"],\"OpenStdin\":true}");
        assertEquals(204, call("POST", "/containers/" + id + "/start", null).status());
        try (RawClient c = client()) {
            c.send("POST /v1.47/containers/" + id + "/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\n"
                    + "Host: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
            assertEquals(101, c.readHead().status());
            c.channel.shutdownOutput(); // the CLI's CloseWrite when its stdin ends
            // the stream has looked for a hang-up a few times by now, and must have seen none
            Thread.sleep(Exchange.HANG_UP_CHECK.multipliedBy(3));
            assertEquals(1, backend.outputSubscribers(id), "still attached");
            assertEquals(204, call("POST", "/containers/" + id + "/kill?signal=HUP", null).status());
            Object[] frame = RawClient.readFrame(c.in);
            assertEquals(1, frame[0]);
            assertEquals("after\n", frame[1]);
        }
    }

    private int subscribers(String id) {
        try {
            return backend.outputSubscribers(id);
        } catch (EngineException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void attachWithoutUpgradeIs200() throws Exception {
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"echo\",\"hi\"],\"Tty\":true}");
        try (RawClient c = client()) {
            c.send("POST /containers/" + id + "/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: d\r\n\r\n");
            RawClient.Reply head = c.readHead();
            assertEquals(200, head.status());
            assertEquals(Streams.RAW, head.header("Content-Type"));
            call("POST", "/containers/" + id + "/start", null);
            assertEquals("hi\n", new String(c.in.readAllBytes(), StandardCharsets.UTF_8));
        }
        assertEquals(404, call("POST", "/containers/nope/attach?stream=1", null).status());
    }

    @Test
    void execCreateStartInspect() throws IOException {
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"sleep\"]}");
        call("POST", "/containers/" + id + "/start", null);
        RawClient.Reply created = call("POST", "/containers/" + id + "/exec",
                "{\"Cmd\":[\"echo\",\"in\",\"exec\"],\"AttachStdout\":true,\"AttachStderr\":true}");
        assertEquals(201, created.status());
        String exec = json(created).get("Id").asText();
        try (RawClient c = client()) {
            c.send("POST /exec/" + exec + "/start HTTP/1.1\r\nHost: d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                    + "Content-Length: 28\r\n\r\n{\"Detach\":false,\"Tty\":false}");
            assertEquals(101, c.readHead().status());
            assertEquals("1:in exec\n", RawClient.frames(c.in.readAllBytes()));
        }
        JsonNode inspect = json(call("GET", "/exec/" + exec + "/json", null));
        assertEquals(0, inspect.get("ExitCode").asInt());
        assertEquals("echo", inspect.get("ProcessConfig").get("entrypoint").asText());
        assertEquals(id, inspect.get("ContainerID").asText());
        assertEquals(400, call("POST", "/containers/" + id + "/exec", "{\"Cmd\":[]}").status());
        assertEquals(404, call("GET", "/exec/nope/json", null).status());
    }

    @Test
    void infoAndVms() throws Exception {
        String id = create("{\"Image\":\"busybox\",\"Cmd\":[\"sleep\"]}");
        assertEquals(204, call("POST", "/containers/" + id + "/start", null).status()); // the shared VM boots
        Backend.SystemInfo engineInfo = backend.info();
        JsonNode info = json(call("GET", "/info", null));
        assertEquals(engineInfo.name(), info.get("Name").asText());
        assertEquals(engineInfo.cpus(), info.get("NCPU").asInt());
        assertEquals("Utility VMs", info.get("DriverStatus").get(0).get(0).asText());
        assertEquals(" skiff-shared", info.get("DriverStatus").get(1).get(0).asText());
        JsonNode vms = json(call("GET", "/skiff/vms", null));
        assertEquals("shared", vms.get(0).get("mode").asText());
        assertEquals(engineServer.test.driver.vms(Placement.SHARED_NAME).getLast().pid(), vms.get(0).get("pid").asLong());
    }

    @Test
    void malformedRequestsAreRefusedAndClosed() throws IOException {
        try (RawClient c = client()) {
            c.send("NONSENSE\r\n\r\n");
            RawClient.Reply reply = c.readReply(false);
            assertEquals(400, reply.status());
            assertTrue(json(reply).get("message").asText().startsWith("malformed HTTP request"));
        }
        try (RawClient c = client()) {
            c.send("GET /_ping HTTP/1.1\r\nX-Long: " + "x".repeat(HttpRequest.MAX_LINE) + "\r\n\r\n");
            assertEquals(431, c.readReply(false).status());
        }
    }

    @Test
    void staleSocketIsReplacedButALiveOneIsNot() throws IOException {
        ApiServer second = new ApiServer(backend);
        IOException e = assertThrows(IOException.class, () -> second.start(socket));
        assertTrue(e.getMessage().contains("another server is listening"));
        server.close();
        Files.writeString(socket, "stale");
        server = new ApiServer(backend);
        server.start(socket);
        assertEquals(200, call("GET", "/_ping", null).status());
        assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(socket)));
    }
}
