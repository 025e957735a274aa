package dev.skiff.engine.api;

import dev.skiff.engine.api.Backend.Attachment;
import dev.skiff.engine.api.Backend.FrameSink;
import dev.skiff.engine.api.Backend.LogOptions;
import dev.skiff.engine.api.Backend.StreamType;
import java.io.IOException;
import java.io.OutputStream;

/** A container's output: {@code attach} (a hijacked connection) and {@code logs} (a chunked stream). */
final class StreamRoutes {
    private final Backend backend;

    StreamRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router router) {
        router.add("POST", "/containers/{id}/attach", this::attach)
                .add("GET", "/containers/{id}/logs", this::logs);
    }

    private void attach(Exchange ex) throws EngineException, IOException {
        Backend.Attachment attachment = backend.attach(ex.path("id"), ex.queryBool("stdin"), ex.queryBool("stdout"),
                ex.queryBool("stderr"), ex.queryBool("logs"), ex.queryBool("stream"));
        Streams.serve(ex, attachment);
    }

    /**
     * The reply starts with the first frame (or when the logs end), so that errors the backend
     * finds first are still a status; each frame is flushed at once, which {@code logs -f} needs.
     * A follow ends when its client goes: a container that prints nothing more would otherwise
     * hold this thread and its place in the container's output until it stops (found only at the
     * next write). That is seen by reading the connection ({@link Exchange#clientGone}), which is
     * sound here as for wait: an HTTP client sends nothing after a GET it waits on (no half-close,
     * unlike attach's), and the request's own body is read to its end first.
     */
    private void logs(Exchange ex) throws EngineException, IOException {
        String id = ex.path("id");
        boolean stdout = ex.queryBool("stdout");
        boolean stderr = ex.queryBool("stderr");
        if (!stdout && !stderr) {
            throw EngineException.invalid("Bad parameters: you must choose at least one stream");
        }
        LogOptions options = new LogOptions(stdout, stderr, ex.queryBool("follow"), ex.queryBool("timestamps"),
                tail(ex.query("tail")), ex.queryTime("since"), ex.queryTime("until"));
        try (Attachment logs = backend.logs(id, options)) {
            if (options.follow()) {
                ex.request().body().transferTo(OutputStream.nullOutputStream());
                ex.clientGone().thenRun(logs::close);
            }
            LazyStream stream = new LazyStream(ex.response(), logs.tty());
            logs.pump(stream);
            stream.finish();
        }
    }

    static String tail(String tail) throws EngineException {
        if (tail == null || tail.isEmpty() || tail.equals("all")) {
            return "all";
        }
        try {
            if (Integer.parseInt(tail) >= 0) {
                return tail;
            }
        } catch (NumberFormatException e) {
            // fall through to the error
        }
        throw EngineException.invalid("invalid value for tail: " + tail + ": expected \"all\" or a number of lines");
    }

    /** A frame sink that sends the reply's status and headers with its first frame. */
    private static final class LazyStream implements FrameSink {
        private final HttpResponse response;
        private final boolean tty;
        private OutputStream body;
        private FrameSink sink;

        LazyStream(HttpResponse response, boolean tty) {
            this.response = response;
            this.tty = tty;
        }

        @Override
        public synchronized void frame(StreamType type, byte[] data, int offset, int length) throws IOException {
            start();
            sink.frame(type, data, offset, length);
        }

        private void start() throws IOException {
            if (body == null) {
                body = response.startChunked(200, Streams.contentType(tty));
                sink = Streams.sink(body, tty);
            }
        }

        synchronized void finish() throws IOException {
            start();
            body.close();
        }
    }
}
