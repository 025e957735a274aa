package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.engine.Engine;
import dev.skiff.engine.image.TestArchives;
import dev.skiff.engine.testing.Program;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and mutated Docker API requests against the API server over the real engine with fake
 * VMs ({@link EngineServer}), a few thousand of them, each on a connection of its own (and some kept-alive pipelines of two or
 * three): well-formed requests to every route of {@link EndpointCoverageTest#DOCKER_1_47} with
 * real and odd ids and garbage query strings, valid JSON bodies mutated (wrong types, deleted
 * fields, deep nesting, truncation, invalid UTF-8), and HTTP-level garbage (bad request lines,
 * headers, Content-Length and chunked framing, random bytes). See {@link FuzzRequests}.
 *
 * <p>Every request must get a complete reply or a clean close within {@link #HANG} (a stream's
 * 2xx or 101 head counts as a reply: the socket is closed there, so an error later in a stream is
 * not seen); an error reply must be Docker's {@code {"message": ...}} naming no Java class, stack
 * frame or Jackson setting; no request may get a 500 (nothing here fails on its own: no disk
 * fills, no VM dies, so a 500 is bad client input mapped wrongly), but for two that dockerd
 * answers with a 500 too ({@link #DOCKERS_500}). Afterwards the server still answers and every
 * connection has closed: streams whose client went end too. Left out: {@code logs?follow=1},
 * whose head waits for the first frame, so a silent container's looks like a hang.
 *
 * <p>Replay a failure with the seed it prints (a request's reply may depend on the ones before,
 * so the whole run replays): {@code mvn -B -o verify -pl engine -am -DskipITs -Dtest=ApiFuzzTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dskiff.fuzz.seed=SEED}; more requests with
 * {@code -Dskiff.fuzz.requests=N}; {@code -Dskiff.fuzz.messages} prints every error message.
 */
@Timeout(300)
class ApiFuzzTest {
    private static final long SEED = Long.getLong("skiff.fuzz.seed", 19_2026L);
    private static final int REQUESTS = Integer.getInteger("skiff.fuzz.requests", 3000);
    /** A request with no reply and no close after this long is a hang. */
    private static final long HANG = 20;
    private static final Pattern JAVA_LEAK = Pattern.compile(
            "\\b(java|javax|jdk|sun|com\\.fasterxml|dev\\.skiff)\\.[a-zA-Z_.]+|Exception|\\tat |NullPointer|\\.java:"
            + "|\\[Source:|`[A-Z]\\w*\\.\\w+"); // the last two: Jackson's location and its settings' names

    /**
     * The 500s dockerd gives as well: Docker Hub out of reach (pulls, pushes and logins reach for it,
     * and this machine has no network), and a docker cp body that is no tar (moby's chrootarchive
     * fails with a plain "Error processing tar file", which its API maps to 500).
     */
    private static final Pattern DOCKERS_500 = Pattern.compile(
            "^Get \"https://registry-1\\.docker\\.io/v2/\": dial tcp: lookup registry-1\\.docker\\.io: no such host"
            + "|^copy /\\S*: "); // the agent's tar reader refusing the body (no other copy fails here)

    @TempDir
    Path dir;
    private EngineServer engineServer;
    private Engine backend;
    private ApiServer server;
    private Path socket;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor();
    private final List<String> failures = new ArrayList<>();
    /** Replies by status (0: a clean close, 1: a stream), printed for a look at what the run reached. */
    private final Map<Integer, Integer> statuses = new TreeMap<>();

    @BeforeEach
    void start() throws Exception {
        engineServer = new EngineServer(dir);
        // a sleep that SIGTERM ends: a docker stop or restart of it takes no 10 s
        engineServer.test.driver.program("sleep", Program.diesOnSignal());
        backend = engineServer.engine;
        server = engineServer.server;
        socket = engineServer.socket;
    }

    @AfterEach
    void stop() throws IOException {
        watchdog.shutdownNow();
        engineServer.close();
    }

    @Test
    void randomAndMutatedRequestsGetNoHangNoStackTraceAndNo500() throws Exception {
        System.out.println("ApiFuzzTest: seed " + SEED + " (-Dskiff.fuzz.seed=" + SEED + "), " + REQUESTS + " requests");
        Random random = new Random(SEED);
        FuzzRequests gen = new FuzzRequests(random, routes());
        for (int i = 0; i < REQUESTS && failures.size() < 10; i++) { // at most 10 hangs of 20 s
            if (i % 500 == 0) {
                seed(gen);
            }
            List<FuzzRequests.Request> connection = new ArrayList<>();
            if (random.nextInt(20) == 0) { // a kept-alive pipeline
                for (int n = 2 + random.nextInt(2); n > 0; n--) {
                    connection.add(gen.routeRequest());
                }
            } else {
                connection.add(gen.next());
            }
            exchange(connection, "seed " + SEED + ", request " + i);
        }
        System.out.println("ApiFuzzTest: replies by status (0 a close, 1 a stream): " + statuses);
        assertTrue(failures.isEmpty(), failures.size() + " failures:\n" + String.join("\n\n", failures));
        assertEquals("200 OK", call("GET", "/_ping", ""), "the server survived");
        assertTrue(call("GET", "/v1.47/version", "").startsWith("200 {"), "the server survived");
        assertNoConnectionLeft();
    }

    private static List<String> routes() {
        List<String> routes = new ArrayList<>(EndpointCoverageTest.DOCKER_1_47);
        routes.addAll(List.of("GET /skiff/vms", "POST /containers/x/attach?stream=0&stdout=1&logs=1",
                "GET /containers/x/stats", "GET /events",
                "POST /containers/x/wait?condition=next-exit", "POST /exec/x/start"));
        return routes;
    }

    /** (Re)creates what real ids name: containers (running, created, exited), a network, a volume, an exec. */
    private void seed(FuzzRequests gen) throws IOException, EngineException {
        for (String image : List.of("busybox:latest", "alpine:3.20")) { // the fuzz may have removed them
            try {
                backend.inspectImage(image);
            } catch (EngineException missing) {
                engineServer.test.images.importRootfs(new ByteArrayInputStream(TestArchives.tar(
                        TestArchives.files("etc/", null, "etc/hostname", "tiny\n"))), image, Map.of(), line -> { });
            }
        }
        call("POST", "/v1.47/containers/create?name=fuzz-sleep", "{\"Image\":\"busybox\",\"Cmd\":[\"sleep\"]}");
        call("POST", "/v1.47/containers/fuzz-sleep/start", "");
        call("POST", "/v1.47/containers/create?name=fuzz-echo", "{\"Image\":\"busybox\",\"Cmd\":[\"echo\",\"hi\"]}");
        call("POST", "/v1.47/containers/create?name=fuzz-exited", "{\"Image\":\"alpine:3.20\",\"Cmd\":[\"fail\"]}");
        call("POST", "/v1.47/containers/fuzz-exited/start", "");
        call("POST", "/v1.47/networks/create", "{\"Name\":\"fuzznet\"}");
        call("POST", "/v1.47/volumes/create", "{\"Name\":\"fuzzvol\"}");
        String exec = call("POST", "/v1.47/containers/fuzz-sleep/exec", "{\"Cmd\":[\"echo\",\"hi\"],\"AttachStdout\":true}");
        gen.containers.clear();
        gen.names.clear();
        gen.execs.clear();
        for (Backend.ContainerSummary c : backend.listContainers(true)) {
            gen.containers.addAll(List.of(c.id(), c.id().substring(0, 12), c.names().getFirst().substring(1)));
        }
        gen.names.addAll(List.of("busybox", "busybox:latest", "alpine:3.20", "docker.io/library/busybox:latest",
                backend.inspectImage("alpine:3.20").summary().id(), "fuzznet", "fuzzvol", "bridge", "host", "none"));
        backend.images().forEach(image -> gen.names.addAll(image.repoTags()));
        gen.containers.add("nosuchcontainer");
        gen.execs.add(exec.startsWith("201 ") ? Json.MAPPER.readTree(exec.substring(4)).get("Id").asText() : "noexec");
    }

    /**
     * Sends one connection's requests, then half-closes and reads a reply for each: a complete one,
     * a stream's head, or the server's close. A watchdog closes the socket after {@link #HANG}.
     */
    private void exchange(List<FuzzRequests.Request> requests, String context) throws IOException {
        StringBuilder sent = new StringBuilder(context).append(", bytes:");
        requests.forEach(r -> sent.append("\n  ").append(r.show()));
        AtomicBoolean fired = new AtomicBoolean();
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ScheduledFuture<?> timer = watchdog.schedule(() -> {
                fired.set(true);
                ch.close();
                return null;
            }, HANG, TimeUnit.SECONDS);
            try {
                for (FuzzRequests.Request r : requests) {
                    ch.write(ByteBuffer.wrap(r.bytes()));
                }
                ch.shutdownOutput();
            } catch (IOException closedFirst) {
                // the server answered and closed before reading it all: its reply is still to read
            }
            try {
                InputStream in = new BufferedInputStream(Channels.newInputStream(ch));
                for (FuzzRequests.Request r : requests) {
                    String problem = readReply(in, r.head());
                    if (problem == null) {
                        break; // closed, or a stream started: nothing more to read
                    }
                    if (!problem.isEmpty()) {
                        failures.add(problem + "\n" + sent);
                        return;
                    }
                }
            } catch (IOException e) {
                if (fired.get()) {
                    failures.add("hang: no reply and no close in " + HANG + " s\n" + sent);
                } else if (!String.valueOf(e.getMessage()).contains("reset")) {
                    failures.add("broken reply: " + e + "\n" + sent);
                }
            } finally {
                timer.cancel(false);
            }
        }
    }

    /** One reply: "" if fine and the connection goes on, null if it ended fine, else what is wrong. */
    private String readReply(InputStream in, boolean head) throws IOException {
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            headBytes.write(b);
            String s = headBytes.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) {
                break;
            }
        }
        String text = headBytes.toString(StandardCharsets.ISO_8859_1);
        if (text.isEmpty()) {
            statuses.merge(0, 1, Integer::sum);
            return null; // a clean close
        }
        if (!text.endsWith("\r\n\r\n")) {
            return "reply head cut short: " + text;
        }
        String[] lines = text.split("\r\n");
        if (!lines[0].matches("HTTP/1\\.1 [1-5][0-9][0-9] .*")) {
            return "bad status line: " + lines[0];
        }
        int status = Integer.parseInt(lines[0].substring(9, 12));
        statuses.merge(status, 1, Integer::sum);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
        }
        boolean chunked = "chunked".equals(headers.get("Transfer-Encoding"));
        String length = headers.get("Content-Length");
        if (status == 101 || status < 300 && length == null && !head) {
            statuses.merge(1, 1, Integer::sum);
            return null; // a hijacked or streamed reply has started
        }
        byte[] body;
        if (head || status == 204 || status == 304) {
            body = new byte[0];
        } else if (chunked) {
            body = new ChunkedInputStream(in).readAllBytes();
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
            if (body.length < Integer.parseInt(length)) {
                return "reply body cut short: " + body.length + " of " + length + " bytes";
            }
        } else {
            body = in.readAllBytes();
        }
        String problem = checkError(status, body, head);
        return !problem.isEmpty() ? problem : "close".equalsIgnoreCase(headers.get("Connection")) ? null : "";
    }

    /** An error reply is Docker's JSON with a message free of Java; no 500 but dockerd's own. */
    private static String checkError(int status, byte[] body, boolean head) {
        if (status < 400 || head) {
            return "";
        }
        String text = new String(body, StandardCharsets.UTF_8);
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return status + " without Docker's error JSON: " + text;
        }
        if (json == null || !json.path("message").isTextual()) {
            return status + " without Docker's error JSON: " + text;
        }
        if (System.getProperty("skiff.fuzz.messages") != null) {
            System.out.println("ApiFuzzTest message: " + status + " " + json.get("message").asText());
        }
        if (JAVA_LEAK.matcher(json.get("message").asText()).find()) {
            return status + " names Java internals: " + text;
        }
        return status == 500 && !DOCKERS_500.matcher(json.get("message").asText()).find()
                ? "500 for client input: " + text : "";
    }

    /**
     * Ends what streams may still wait on (containers that were never started or still run, an
     * event for event streams, which notice a gone client within a tick), then expects every
     * connection to close: all but the one asking, and one still closing.
     */
    private void assertNoConnectionLeft() throws IOException {
        for (Backend.ContainerSummary c : backend.listContainers(true)) {
            for (String call : List.of("start", "kill")) {
                call("POST", "/v1.47/containers/" + c.id() + "/" + call, "");
            }
        }
        backend.events().publish("container", "die", "fuzz", Map.of());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG);
        while (open() > 2 && System.nanoTime() < deadline) {
            call("GET", "/_ping", ""); // a round trip while the last connections close
        }
        assertTrue(open() <= 2, open() + " connections still open after the run: "
                + server.connections(ConnectionTable.Phase.BUSY) + " in a request");
    }

    private long open() {
        return server.connections(ConnectionTable.Phase.IDLE) + server.connections(ConnectionTable.Phase.HEAD)
                + server.connections(ConnectionTable.Phase.BUSY);
    }

    /** One well-formed request: "STATUS BODY". */
    private String call(String method, String target, String body) throws IOException {
        try (RawClient c = new RawClient(socket)) {
            RawClient.Reply r = c.request(method, target, body);
            return r.status() + " " + r.text();
        }
    }
}
