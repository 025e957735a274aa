package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;

/** The API server over a {@link StubBackend} on a unix socket in a test's folder, and calls to it. */
final class StubServer implements AutoCloseable {
    final StubBackend backend = new StubBackend();
    final Path socket;
    final ApiServer server;

    StubServer(Path dir) throws IOException {
        socket = dir.resolve("api.sock");
        server = new ApiServer(backend);
        server.start(socket);
    }

    /** One request on a connection of its own. */
    RawClient.Reply call(String method, String target, String body) throws IOException {
        try (RawClient c = new RawClient(socket)) {
            return c.request(method, target, body);
        }
    }

    /** Creates a busybox container by that name running {@code createBody} (POST /containers/create's JSON); its id. */
    String create(String name, String createBody) throws IOException {
        return json(call("POST", "/containers/create?name=" + name, createBody)).get("Id").asText();
    }

    static JsonNode json(RawClient.Reply reply) throws IOException {
        return Json.MAPPER.readTree(reply.body());
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
