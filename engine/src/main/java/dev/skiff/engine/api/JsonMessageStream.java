package dev.skiff.engine.api;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Docker's JSON message stream (the body of load, import and pull): one JSON object per line,
 * sent as it happens. The reply is committed by the first message, so an error that comes before
 * any message is still a proper HTTP status; after that it can only be an
 * {@code {"errorDetail": ..., "error": ...}} message, which the CLI prints and exits 1 on.
 */
final class JsonMessageStream {
    /** The work behind a message stream. */
    @FunctionalInterface
    interface Work {
        void run(JsonMessageStream messages) throws EngineException, IOException;
    }

    private final HttpResponse response;
    private OutputStream body;

    private JsonMessageStream(HttpResponse response) {
        this.response = response;
    }

    /**
     * Runs {@code work} with a stream on {@code response}; {@code what} names the work in the
     * message of an I/O failure ("failed to load images: ...").
     */
    static void serve(HttpResponse response, String what, Work work) throws EngineException, IOException {
        JsonMessageStream messages = new JsonMessageStream(response);
        try {
            work.run(messages);
        } catch (EngineException e) {
            messages.failOrThrow(e);
        } catch (UncheckedIOException e) {
            messages.failOrThrow(ioFailure(what, e.getCause()));
        } catch (HttpException e) {
            throw e;
        } catch (IOException e) {
            messages.failOrThrow(ioFailure(what, e));
        }
        messages.finish();
    }

    private static EngineException ioFailure(String what, IOException e) throws HttpException {
        if (e instanceof HttpException http) {
            throw http;
        }
        return new EngineException(EngineException.Kind.INTERNAL, "failed to " + what + ": " + e.getMessage(), e);
    }

    private synchronized void failOrThrow(EngineException e) throws EngineException, IOException {
        if (body == null) {
            throw e;
        }
        write(Json.object().put("error", e.getMessage()).set("errorDetail",
                Json.object().put("message", e.getMessage())));
    }

    /** {"stream": text}: printed as is by the CLI. */
    void stream(String text) throws IOException {
        write(Json.object().put("stream", text));
    }

    /** {"status": text}: printed as a line by the CLI. */
    void status(String text) throws IOException {
        write(Json.object().put("status", text));
    }

    /** {@link #stream} for callbacks that cannot throw; {@link #serve} unwraps the exception. */
    void streamUnchecked(String text) {
        try {
            stream(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #status} for callbacks that cannot throw; {@link #serve} unwraps the exception. */
    void statusUnchecked(String text) {
        try {
            status(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Docker's per-layer progress ({@code progress.Update}): with {@code current}/{@code total} (when total is
     * positive), else an empty progressDetail, which is what makes the CLI redraw the line in place.
     */
    void progress(String id, String status, long current, long total) throws IOException {
        var m = Json.object().put("status", status);
        var detail = m.putObject("progressDetail");
        if (total > 0) {
            detail.put("current", current).put("total", total);
        }
        write(m.put("id", id));
    }

    /** {"status", "id"}: a line with an id and no progressDetail ("latest: Pulling from test/img"). */
    void status(String id, String status) throws IOException {
        var m = Json.object().put("status", status);
        write(id == null ? m : m.put("id", id));
    }

    /** Renders a pull's or a push's progress into this stream; safe from several threads at once. */
    Progress progress() {
        return new Progress() {
            @Override
            public void message(String id, String status) {
                unchecked(() -> status(id, status));
            }

            @Override
            public void layer(String id, String status) {
                unchecked(() -> progress(id, status, 0, 0));
            }

            @Override
            public void layer(String id, String status, long current, long total) {
                unchecked(() -> progress(id, status, current, total));
            }

            @Override
            public void aux(java.util.Map<String, Object> fields) {
                unchecked(() -> write(Json.object().set("aux", Json.MAPPER.valueToTree(fields))));
            }
        };
    }

    private interface Write {
        void run() throws IOException;
    }

    private static void unchecked(Write w) {
        try {
            w.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One message at a time: a pull reports from one thread per layer. */
    private synchronized void write(Object message) throws IOException {
        if (body == null) {
            body = response.startChunked(200, "application/json");
        }
        byte[] json = Json.write(message);
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        body.write(line);
        body.flush();
    }

    private synchronized void finish() throws IOException {
        if (body == null) {
            response.send(200, "application/json", "".getBytes(StandardCharsets.US_ASCII));
        } else {
            body.close();
        }
    }
}
