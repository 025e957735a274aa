package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.engine.api.Backend.Attachment;
import java.io.IOException;

/** docker exec: {@code /containers/{id}/exec} and {@code /exec/...}. */
final class ExecRoutes {
    private final Backend backend;

    ExecRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router router) {
        router.add("POST", "/containers/{id}/exec", this::create)
                .add("POST", "/exec/{id}/start", this::start)
                .add("GET", "/exec/{id}/json", this::inspect)
                .add("POST", "/exec/{id}/resize", this::resize);
    }

    private void create(Exchange ex) throws EngineException, IOException {
        String id = backend.createExec(ex.path("id"), ExecJson.spec(ex.readJson()));
        ex.response().sendJson(201, Json.object().put("Id", id));
    }

    /** Detached: 200 and nothing more. Attached: the connection is hijacked, as for attach. */
    private void start(Exchange ex) throws EngineException, IOException {
        JsonNode body = ex.readJson();
        boolean detach = Json.bool(body, "Detach");
        boolean tty = Json.bool(body, "Tty");
        Attachment attachment;
        try {
            attachment = backend.startExec(ex.path("id"), detach, tty);
        } catch (EngineException e) {
            if (detach || e.kind() == EngineException.Kind.NOT_FOUND) {
                throw e;
            }
            // As moby's postContainerExecStart: an attached start hijacks the connection first, and a
            // process that cannot start says why in the stream; the CLI then reads its exit code (126).
            Streams.serve(ex, failure(e.getMessage() + "\r\n", tty));
            return;
        }
        if (detach) {
            if (attachment != null) {
                attachment.close();
            }
            ex.response().sendEmpty(200);
            return;
        }
        if (attachment == null) {
            throw new EngineException(EngineException.Kind.INTERNAL,
                    "failed to start exec " + ex.path("id") + ": the engine returned no attachment");
        }
        Streams.serve(ex, attachment);
    }

    /** An attachment that only says why the exec did not start. */
    private static Attachment failure(String message, boolean tty) {
        byte[] text = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new Attachment() {
            public boolean tty() {
                return tty;
            }

            public java.io.OutputStream stdin() {
                return java.io.OutputStream.nullOutputStream();
            }

            public void pump(Backend.FrameSink sink) throws IOException {
                sink.frame(Backend.StreamType.STDOUT, text, 0, text.length);
            }

            public void close() {}
        };
    }

    private void inspect(Exchange ex) throws EngineException, IOException {
        ex.response().sendJson(200, ExecJson.inspect(backend.inspectExec(ex.path("id"))));
    }

    private void resize(Exchange ex) throws EngineException, IOException {
        backend.resizeExec(ex.path("id"), ContainerRoutes.size(ex, "h"), ContainerRoutes.size(ex, "w"));
        ex.response().sendEmpty(200);
    }
}
