package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.engine.Engine;
import dev.skiff.engine.testing.InMemoryAgent;
import dev.skiff.engine.testing.Program;
import dev.skiff.engine.testing.TestEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The API server over the real {@link Engine} of a {@link TestEngine} (fake VMs, each with the
 * in-memory agent) on a unix socket in a test's folder, and calls to it. The tiny test image is
 * also {@code busybox:latest}, and its processes are programs chosen by argv[0]: {@code echo ARGS}
 * prints its arguments, {@code cat} copies stdin to stdout until stdin closes, {@code fail} prints
 * "oops" on stderr and exits 3, {@code sleep} runs until it is killed (as busybox's sleep does as a
 * container's init, which SIGTERM does not end), {@code true} exits 0 (the image's CMD).
 */
final class EngineServer implements AutoCloseable {
    final TestEngine test;
    final Engine engine;
    final Path socket;
    final ApiServer server;

    EngineServer(Path dir) throws IOException, EngineException {
        this(dir, ApiServer.MAX_CONNECTIONS, ApiServer.HEAD_DEADLINE, ApiServer.IDLE_DEADLINE);
    }

    /** With the server's connection limits. */
    EngineServer(Path dir, int maxConnections, Duration headDeadline, Duration idleDeadline)
            throws IOException, EngineException {
        test = TestEngine.create(Files.createDirectories(dir.resolve("engine")));
        engine = test.engine;
        test.images.tag(TestEngine.IMAGE, "busybox:latest"); // in the store, as a pull would: no event
        test.driver.program("echo", Program.echo()).program("cat", Program.cat())
                .program("fail", Program.complains("oops\n", 3)).program("sleep", Program.ignoresSignals())
                .program("true", Program.exits(0));
        socket = dir.resolve("api.sock");
        server = new ApiServer(engine, maxConnections, headDeadline, idleDeadline);
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

    /** The agent of the shared VM, where a container without --isolation runs (once one has started). */
    InMemoryAgent sharedAgent() {
        return test.driver.vms(dev.skiff.engine.placement.Placement.SHARED_NAME).getLast().agent();
    }

    static JsonNode json(RawClient.Reply reply) throws IOException {
        return Json.MAPPER.readTree(reply.body());
    }

    @Override
    public void close() throws IOException {
        server.close();
        test.close();
    }
}
