package dev.skiff.engine;

import dev.skiff.engine.api.Backend.Attachment;
import dev.skiff.engine.api.Backend.LogOptions;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.container.Container;
import dev.skiff.engine.container.Status;
import dev.skiff.engine.container.Frame;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.BlockingQueue;

/**
 * docker attach and docker logs over a container's output hub: each is a subscription to the hub
 * (from the log's start, its last lines, or the next run) pumped to the client by a {@link HubAttachment}.
 * The container's process output itself is read from the agent by {@code ProcessOutput}.
 */
final class OutputApi {
    private OutputApi() {}

    /**
     * docker attach: {@code logs} replays the log first, {@code stream} follows; a client that attaches
     * to a container not yet running ({@code docker start -a}, {@code docker run}) gets its next run from
     * its first byte.
     */
    static Attachment attach(Container c, boolean stdin, boolean stdout, boolean stderr, boolean logs, boolean stream)
            throws EngineException {
        BlockingQueue<Frame> q;
        try {
            synchronized (c) {
                boolean before = !c.starting && (c.status == Status.CREATED || c.status == Status.EXITED
                        || c.status == Status.RESTARTING);
                q = stream && before && !logs ? c.output.subscribeNextRun() : c.output.subscribe(logs ? -1 : -2, stream);
            }
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "cannot read the log: " + e.getMessage(), e);
        }
        OutputStream in = stdin && c.spec.openStdin() ? c.stdin.clientSide() : null;
        return new HubAttachment(c.output, q, c.spec.tty(), in, stdout, stderr);
    }

    /**
     * docker logs: the last {@code tail} lines (all by default), then more while {@code follow}, filtered by time.
     * Closing the attachment ends a follow whose client went, and frees its place in the hub.
     */
    static Attachment logs(Container c, LogOptions options) throws EngineException, IOException {
        int tail = options.tail() == null || options.tail().equals("all") || options.tail().isEmpty() ? -1
                : parseTail(options.tail());
        BlockingQueue<Frame> q = c.output.subscribe(tail, options.follow());
        return new HubAttachment(c.output, q, c.spec.tty(), null, options.stdout(), options.stderr(),
                options.since(), options.until(), options.timestamps());
    }

    static int parseTail(String tail) throws EngineException {
        try {
            return Math.max(0, Integer.parseInt(tail));
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid value for \"tail\": " + tail);
        }
    }
}
