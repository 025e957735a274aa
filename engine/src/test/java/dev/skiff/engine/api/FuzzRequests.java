package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The request generators of {@link ApiFuzzTest}: well-formed requests to every route with random
 * parameters, valid JSON bodies mutated, and HTTP-level garbage. Each call returns the exact bytes
 * to send; the same {@link Random} state gives the same bytes.
 */
final class FuzzRequests {
    /** One request to send, as bytes. */
    record Request(byte[] bytes) {
        /** A HEAD's reply has no body whatever its Content-Length says. */
        boolean head() {
            return bytes.length > 5 && new String(bytes, 0, 5, StandardCharsets.ISO_8859_1).equals("HEAD ");
        }

        String show() {
            String s = new String(bytes, 0, Math.min(bytes.length, 2000), StandardCharsets.ISO_8859_1);
            return s.replace("\r", "\\r").replace("\n", "\\n") + (bytes.length > 2000 ? "...(" + bytes.length + " bytes)" : "");
        }
    }

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /**
     * Query parameters the routes read. Not "follow": logs -f of a silent container sends its head
     * with the first frame (StreamRoutes), which from here looks like a hang.
     */
    private static final List<String> QUERY_NAMES = List.of("all", "limit", "size", "filters", "name", "force", "v",
            "link", "signal", "t", "timeout", "condition", "stdout", "stderr", "stdin", "stream", "logs",
            "since", "until", "timestamps", "tail", "h", "w", "path", "noOverwriteDirNonDir", "copyUIDGID",
            "fromImage", "fromSrc", "tag", "repo", "platform", "message", "changes", "term", "names", "ps_args",
            "one-shot", "detachKeys", "noprune", "container", "dangling", "digests", "quiet", "version");
    private static final List<String> QUERY_VALUES = List.of("", "1", "0", "true", "false", "-1", "2147483648",
            "99999999999999999999", "abc", "1.5", "1e9", "0x10", "+5", " 7 ", "%zz", "%", "%f", "%ff%fe", "%00", "+",
            "ü☃😀", "/", "../..", "not-running", "next-exit", "removed", "SIGKILL", "SIGNOPE", "999", "busybox",
            "1700000000.5", "1700000000.x", "24h", "-24h", "2026-01-01T00:00:00Z", "ENV A=1", "CMD [", "all");
    private static final List<String> FILTERS = List.of("{\"label\":[\"a=b\"]}", "{\"label\":{\"a=b\":true}}",
            "{\"nope\":[\"x\"]}", "[1,2]", "\"str\"", "{", "{\"label\":\"x\"}", "{\"label\":[{\"a\":1}]}",
            "{\"status\":[\"running\",\"nope\"]}", "{\"until\":[\"24h\"]}", "{\"until\":[\"bogus\"]}",
            "{\"until\":[\"99999999999999999999h\"]}", "{\"since\":[\"x\"]}", "{\"before\":[\"busybox\"]}", "null",
            "{\"id\":null}", "{\"label\":[null]}", "{\"dangling\":[\"maybe\"]}", "{\"reference\":[\"[\"]}",
            "{\"name\":[\"(\"]}", "{\"exited\":[\"x\"]}", "{\"health\":[\"x\"]}", "{\"type\":[\"custom\"]}",
            "{\"driver\":[\"\"]}", "{\"ancestor\":[\"::\"]}", "{\"volume\":[\"\"]}", "{\"network\":[\"\"]}",
            "{\"publish\":[\"80/x\"]}", "{\"expose\":[\"-1\"]}", "{\"isolation\":[1]}", "{\"event\":[\"x\"]}",
            "{\"container\":[\"x\"]}", "{\"is-task\":[\"x\"]}", "{\"scope\":[\"x\"]}", "{\"label!\":[\"x\"]}");
    private static final List<String> ODD_SEGMENTS = List.of("", "..", ".", "%2e%2e", "%2F", "%00", "%ff%fe",
            "%", "%zz", "ü☃😀", "a b", "-", "sha256:", "sha256:zz", "busybox:", ":latest", "a@sha256:1",
            "UPPER", "x".repeat(300), "@", "%0d%0aX-Injected:%201", "\u0000", "a/b/c", "localhost:5000/a:b");
    /** Valid request bodies, each for the routes that take it ("{c}" a container, "{n}" a network, "{e}" an exec). */
    static final List<String[]> SAMPLES = List.of(
            new String[] {"POST /containers/create", """
                    {"Image":"busybox","Cmd":["echo","hi"],"Env":["A=1"],"Labels":{"a":"b"},"Tty":false,\
                    "OpenStdin":false,"ExposedPorts":{"80/tcp":{}},"WorkingDir":"/","User":"0:0",\
                    "Entrypoint":null,"StopSignal":"SIGTERM","StopTimeout":5,\
                    "Healthcheck":{"Test":["CMD","true"],"Interval":1000000000,"Retries":3},\
                    "HostConfig":{"Binds":["/tmp:/data:ro"],"Memory":1048576,"NanoCpus":500000000,\
                    "PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}]},\
                    "RestartPolicy":{"Name":"on-failure","MaximumRetryCount":2},"AutoRemove":false,\
                    "Mounts":[{"Type":"volume","Source":"fuzzvol","Target":"/v"}],"Tmpfs":{"/run":"size=1m"},\
                    "LogConfig":{"Type":"json-file","Config":{}},"ShmSize":65536,"Ulimits":[{"Name":"nofile","Soft":1,"Hard":2}]},\
                    "NetworkingConfig":{"EndpointsConfig":{"fuzznet":{"Aliases":["a"]}}}}"""},
            new String[] {"POST /containers/{c}/exec", """
                    {"Cmd":["echo","hi"],"AttachStdout":true,"AttachStderr":true,"Tty":false,"Env":["A=1"],\
                    "WorkingDir":"/","User":"root","Privileged":false,"DetachKeys":"ctrl-p,q","ConsoleSize":[24,80]}"""},
            new String[] {"POST /exec/{e}/start", "{\"Detach\":true,\"Tty\":false,\"ConsoleSize\":[24,80]}"},
            new String[] {"POST /networks/create", """
                    {"Name":"n1","Driver":"bridge","Internal":false,"Attachable":true,"Labels":{"a":"b"},\
                    "Options":{"x":"y"},"EnableIPv6":false,"CheckDuplicate":true,\
                    "IPAM":{"Driver":"default","Config":[{"Subnet":"10.9.0.0/24","Gateway":"10.9.0.1"}]}}"""},
            new String[] {"POST /networks/{n}/connect", """
                    {"Container":"fuzz-sleep","EndpointConfig":{"Aliases":["x"],"IPAMConfig":{"IPv4Address":"10.9.0.5"}}}"""},
            new String[] {"POST /networks/{n}/disconnect", "{\"Container\":\"fuzz-sleep\",\"Force\":true}"},
            new String[] {"POST /volumes/create", """
                    {"Name":"v1","Driver":"local","Labels":{"a":"b"},"DriverOpts":{"type":"tmpfs"}}"""},
            new String[] {"POST /containers/{c}/update", """
                    {"Memory":1048576,"MemorySwap":-1,"CpuShares":512,"NanoCpus":1000000000,"PidsLimit":100,\
                    "RestartPolicy":{"Name":"always"},"CpusetCpus":"0","BlkioWeight":300}"""},
            new String[] {"POST /auth", """
                    {"username":"u","password":"p","serveraddress":"https://index.docker.io/v1/","email":""}"""});

    private final Random random;
    private final List<String> routes;
    /** Ids and names that exist in the engine: containers, images, networks, volumes, execs. */
    final List<String> containers = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    final List<String> execs = new ArrayList<>();

    FuzzRequests(Random random, List<String> routes) {
        this.random = random;
        this.routes = routes;
    }

    /** The next request: one of the three kinds. */
    Request next() {
        int kind = random.nextInt(10);
        return kind < 5 ? routeRequest() : kind < 8 ? mutatedBody() : garbage();
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    // --- (1) well-formed requests to every route -----------------------------------------------

    Request routeRequest() {
        String[] route = pick(routes).split(" ", 2);
        String method = route[0];
        String[] target = route[1].split("\\?", 2);
        int version = random.nextInt(10);
        StringBuilder path = new StringBuilder(version < 7 ? "/v1.47" : version < 9 ? ""
                : pick(List.of("/v1.24", "/v1.99", "/v1", "/v0.1", "/v1.47.1", "/v99999999999.1")));
        for (String segment : target[0].substring(1).split("/")) {
            path.append('/').append(segment.equals("x") || segment.equals("y") ? param() : segment);
        }
        String query = String.join("&", target.length > 1 && random.nextBoolean() ? target[1] : "", randomQuery());
        String body = method.equals("POST") || method.equals("PUT") ? pick(List.of("", "{}", "{\"a\":1}")) : "";
        return http(method, path + (query.isEmpty() ? "" : "?" + query), List.of(), body.getBytes(StandardCharsets.UTF_8));
    }

    private String param() {
        return switch (random.nextInt(4)) {
            case 0, 1 -> encode(pick(random.nextBoolean() ? containers : names));
            case 2 -> pick(execs);
            default -> {
                String s = pick(ODD_SEGMENTS);
                yield random.nextBoolean() ? s : encode(s);
            }
        };
    }

    private String randomQuery() {
        StringBuilder q = new StringBuilder();
        for (int i = random.nextInt(5); i > 0; i--) {
            String name = random.nextInt(4) == 0 ? "filters" : pick(QUERY_NAMES);
            String value = name.equals("filters") || random.nextInt(6) == 0 ? pick(FILTERS) : pick(QUERY_VALUES);
            // about one value in four goes raw: bad percent escapes and stray '&', '=' reach the parser
            q.append('&').append(name).append('=').append(random.nextInt(4) == 0 ? value.replace(" ", "+") : encode(value));
        }
        return q.isEmpty() ? "" : q.substring(1);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // --- (2) valid JSON bodies, mutated --------------------------------------------------------

    Request mutatedBody() {
        String[] sample = pick(SAMPLES);
        String[] route = sample[0].split(" ", 2);
        String path = "/v1.47" + route[1].replace("{c}", encode(pick(containers))).replace("{n}", "fuzznet")
                .replace("{e}", pick(execs));
        if (path.endsWith("/containers/create") && random.nextBoolean()) {
            path += "?name=" + encode(random.nextBoolean() ? "fuzz-" + random.nextInt(1000000) : pick(ODD_SEGMENTS));
        }
        byte[] body;
        try {
            JsonNode tree = Json.MAPPER.readTree(sample[1]);
            for (int i = 1 + random.nextInt(3); i > 0; i--) {
                tree = mutate(tree);
            }
            body = Json.MAPPER.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (random.nextInt(4) == 0) {
            body = mangle(body);
        }
        return http(route[0], path, List.of(), body);
    }

    /** Replaces or deletes one node of the tree with a value of another type; the root may go too. */
    private JsonNode mutate(JsonNode root) {
        List<ContainerNode<?>> parents = new ArrayList<>();
        collect(root, parents);
        if (parents.isEmpty() || random.nextInt(20) == 0) {
            return wrongValue();
        }
        ContainerNode<?> parent = pick(parents);
        if (parent.isEmpty()) {
            return root;
        }
        if (parent instanceof ObjectNode object) {
            List<String> fields = new ArrayList<>();
            object.fieldNames().forEachRemaining(fields::add);
            String field = pick(fields);
            if (random.nextInt(4) == 0) {
                object.remove(field);
            } else {
                object.set(field, wrongValue());
            }
        } else if (parent instanceof ArrayNode array) {
            array.set(random.nextInt(array.size()), wrongValue());
        }
        return root;
    }

    private static void collect(JsonNode node, List<ContainerNode<?>> parents) {
        if (node instanceof ContainerNode<?> c) {
            parents.add(c);
            node.forEach(child -> collect(child, parents));
        }
    }

    private JsonNode wrongValue() {
        return switch (random.nextInt(14)) {
            case 0 -> F.textNode(pick(ODD_SEGMENTS));
            case 1 -> F.numberNode(random.nextInt());
            case 2 -> F.numberNode(-1);
            case 3 -> F.numberNode(new BigInteger("123456789012345678901234567890"));
            case 4 -> F.numberNode(Long.MIN_VALUE);
            case 5 -> F.numberNode(1.5e300);
            case 6 -> F.booleanNode(random.nextBoolean());
            case 7 -> F.nullNode();
            case 8 -> F.arrayNode().add(pick(ODD_SEGMENTS)).add(1).addNull();
            case 9 -> F.arrayNode();
            case 10 -> F.objectNode().put("x", 1);
            case 11 -> F.objectNode();
            case 12 -> F.textNode("");
            default -> F.numberNode(0.0);
        };
    }

    /** Byte-level damage: truncation, invalid UTF-8, deep nesting, not an object, nothing. */
    private byte[] mangle(byte[] json) {
        return switch (random.nextInt(9)) {
            case 0 -> java.util.Arrays.copyOf(json, random.nextInt(json.length + 1));
            case 1 -> splice(json, new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc0, (byte) 0x80});
            case 2 -> splice(json, new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'});
            case 3 -> "[".repeat(10_000).getBytes(StandardCharsets.US_ASCII);
            case 4 -> "{\"a\":".repeat(5_000).getBytes(StandardCharsets.US_ASCII);
            case 5 -> ("{\"Cmd\":" + "[".repeat(3_000) + "]".repeat(3_000) + "}").getBytes(StandardCharsets.US_ASCII);
            case 6 -> pick(List.of("", "null", "[]", "123", "\"s\"", "{}{}", "{\"a\":1,}", "{'a':1}", "\ufeff{}"))
                    .getBytes(StandardCharsets.UTF_8);
            case 7 -> ("{\"Image\":\"busybox\",\"Cmd\":[\"" + "x".repeat(200_000) + "\"]}").getBytes(StandardCharsets.US_ASCII);
            default -> randomBytes(1 + random.nextInt(300));
        };
    }

    private byte[] splice(byte[] into, byte[] what) {
        int at = random.nextInt(into.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(into, 0, at);
        out.writeBytes(what);
        out.write(into, at, into.length - at);
        return out.toByteArray();
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    // --- (3) HTTP-level garbage ----------------------------------------------------------------

    Request garbage() {
        List<Supplier<byte[]>> kinds = List.of(
                () -> ascii(pick(List.of("GET\r\n\r\n", "GET /_ping\r\n\r\n", "GET /_ping HTTP/2.0\r\n\r\n",
                        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "G@T /_ping HTTP/1.1\r\n\r\n", "GET  /_ping  HTTP/1.1\r\n\r\n",
                        "BREW /_ping HTTP/1.1\r\n\r\n", "get /_ping HTTP/1.1\r\n\r\n", "GET _ping HTTP/1.1\r\n\r\n",
                        "GET * HTTP/1.1\r\n\r\n", "GET http://docker/_ping HTTP/1.1\r\n\r\n", "GET /_ping HTTP/1.9\r\n\r\n",
                        "GET /_ping HTTP/1.0\r\n\r\n", "OPTIONS /_ping HTTP/1.1\r\n\r\n", "GET /_ping HTTP/1.1\n\n",
                        "GET /%zz HTTP/1.1\r\n\r\n", "GET /_ping?%=%&&=& HTTP/1.1\r\n\r\n", "\r\n\r\n\r\n",
                        "GET / HTTP/1.1\r\n\r\n", " GET /_ping HTTP/1.1\r\n\r\n", "GET /v1.47 HTTP/1.1\r\n\r\n",
                        "GET /v/_ping HTTP/1.1\r\n\r\n", "GET /v99999999999999999999.1/_ping HTTP/1.1\r\n\r\n"))),
                () -> head("GET /_ping", "NoColonHere"),
                () -> head("GET /_ping", ": empty name"),
                () -> head("GET /_ping", " folded: line"),
                () -> head("GET /_ping", "X-Big: " + "a".repeat(HttpRequest.MAX_LINE + random.nextInt(100))),
                () -> head("GET /_ping", "X-Many: 1\r\n".repeat(HttpRequest.MAX_HEADERS + 1).trim()),
                () -> head("GET /_ping", "X-Nul\u0000: a\u0000b"),
                () -> head("POST /v1.47/volumes/create", "Content-Length: 2\r\nContent-Length: " + pick(List.of("2", "3", "x")), "{}"),
                () -> head("POST /v1.47/volumes/create", "Content-Length: " + pick(List.of("abc", "-5", "99999999999999999999",
                        " 2 ", "+2", "0x2", "", "2, 2", "9223372036854775807")), "{}"),
                () -> head("POST /v1.47/volumes/create", "Transfer-Encoding: " + pick(List.of("gzip", "chunked, chunked",
                        "identity", "Chunked", "gzip, chunked", "")), "2\r\n{}\r\n0\r\n\r\n"),
                () -> head("POST /v1.47/volumes/create", "Transfer-Encoding: chunked\r\nContent-Length: 2", "{}"),
                () -> head("POST /v1.47/volumes/create", "Transfer-Encoding: chunked", pick(List.of("zz\r\n{}\r\n0\r\n\r\n",
                        "-1\r\n{}\r\n0\r\n\r\n", "ffffffffffffffffff\r\n{}", "7fffffffffffffff\r\n{}", "2\r\n{}0\r\n\r\n",
                        "2\r\n{}", "2\r\n{", "", "2;" + "e".repeat(9000) + "\r\n{}\r\n0\r\n\r\n", "2\r\n{}\r\n0\r\n",
                        "0\r\nbad trailer\r\n\r\n", "3\r\n{}\r\n0\r\n\r\n", "1\r\n{\r\n1\r\n}\r\n0\r\n\r\n"))),
                () -> head("POST /v1.47/containers/create", "Content-Length: " + (50 + random.nextInt(5000)), "{\"Image\":"),
                () -> head("POST /v1.47/images/load", "Content-Length: 100000", new String(randomBytes(100), StandardCharsets.ISO_8859_1)),
                () -> head("PUT /v1.47/containers/fuzz-sleep/archive?path=/", "Content-Length: 600",
                        new String(randomBytes(600), StandardCharsets.ISO_8859_1)),
                () -> head("GET /_ping", "Expect: 100-continue\r\nConnection: " + pick(List.of("close", "keep-alive", "Upgrade, x")),
                        ""),
                () -> head("POST /v1.47/containers/fuzz-sleep/attach?stream=1&stdin=1&stdout=1",
                        "Upgrade: tcp\r\nConnection: Upgrade", "junk"),
                () -> randomBytes(1 + random.nextInt(4000)),
                () -> {
                    byte[] b = routeRequest().bytes();
                    return java.util.Arrays.copyOf(b, random.nextInt(b.length + 1)); // cut anywhere
                },
                () -> {
                    byte[] b = routeRequest().bytes();
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256); // one byte flipped
                    return b;
                });
        return new Request(pick(kinds).get());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] head(String requestLine, String headers) {
        return head(requestLine, headers, "");
    }

    private static byte[] head(String requestLine, String headers, String body) {
        return ascii(requestLine + " HTTP/1.1\r\nHost: docker\r\n" + headers + "\r\n\r\n" + body);
    }

    static Request http(String method, String target, List<String> headers, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: docker\r\n");
        headers.forEach(h -> head.append(h).append("\r\n"));
        if (body.length > 0) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        out.writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(body);
        return new Request(out.toByteArray());
    }
}
