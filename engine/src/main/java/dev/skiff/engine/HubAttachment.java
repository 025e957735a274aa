package dev.skiff.engine;

import dev.skiff.engine.api.Backend;
import dev.skiff.engine.container.Frame;
import dev.skiff.engine.container.OutputHub;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;

/** A client attached to a process's output hub (and maybe its stdin). */
final class HubAttachment implements Backend.Attachment {
    private final OutputHub hub;
    private final BlockingQueue<Frame> queue;
    private final boolean tty;
    private final OutputStream stdin;
    private final boolean stdout;
    private final boolean stderr;
    private final Instant since; // these three: docker logs' filters, null and false for attach
    private final Instant until;
    private final boolean timestamps;

    HubAttachment(OutputHub hub, BlockingQueue<Frame> queue, boolean tty, OutputStream stdin, boolean stdout,
            boolean stderr) {
        this(hub, queue, tty, stdin, stdout, stderr, null, null, false);
    }

    HubAttachment(OutputHub hub, BlockingQueue<Frame> queue, boolean tty, OutputStream stdin, boolean stdout,
            boolean stderr, Instant since, Instant until, boolean timestamps) {
        this.hub = hub;
        this.queue = queue;
        this.tty = tty;
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
        this.since = since;
        this.until = until;
        this.timestamps = timestamps;
    }

    @Override
    public boolean tty() {
        return tty;
    }

    @Override
    public OutputStream stdin() {
        return stdin;
    }

    @Override
    public void pump(Backend.FrameSink sink) throws IOException {
        try {
            while (true) {
                Frame f = queue.take();
                if (f.data().length == 0 && f.epochNanos() == 0) {
                    return; // the end of the output
                }
                boolean wanted = f.type() == Backend.StreamType.STDERR ? stderr : stdout;
                Instant at = Instant.ofEpochSecond(0, f.epochNanos());
                if (!wanted || (since != null && at.isBefore(since)) || (until != null && at.isAfter(until))) {
                    continue;
                }
                byte[] data = f.data();
                if (timestamps) {
                    byte[] prefix = (at + " ").getBytes(StandardCharsets.UTF_8);
                    byte[] both = new byte[prefix.length + data.length];
                    System.arraycopy(prefix, 0, both, 0, prefix.length);
                    System.arraycopy(data, 0, both, prefix.length, data.length);
                    data = both;
                }
                sink.frame(tty ? Backend.StreamType.STDOUT : f.type(), data, 0, data.length);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            hub.unsubscribe(queue);
        }
    }

    /** Ends the subscription; a pump waiting for the next frame returns (after the ones queued). */
    @Override
    public void close() {
        hub.unsubscribe(queue);
        queue.add(new Frame(Backend.StreamType.STDOUT, 0, new byte[0]));
    }
}
