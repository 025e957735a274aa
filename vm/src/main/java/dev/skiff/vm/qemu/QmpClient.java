package dev.skiff.vm.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.vm.VmException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A QMP client: reads the greeting, negotiates capabilities, then sends commands tagged with
 * an id and matches replies to them, while events go to a listener. One virtual thread reads.
 * QMP frames are single JSON objects, one per line (docs/interop/qmp-spec.rst).
 */
public final class QmpClient implements AutoCloseable {
    /** Longest QMP line accepted from QEMU; replies we use are far smaller. */
    static final int MAX_LINE = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel socket;
    private final BufferedReader in;
    private final OutputStream out;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Consumer<JsonNode> events;
    private final CompletableFuture<IOException> closed = new CompletableFuture<>();
    private volatile IOException closedBy;

    private QmpClient(SocketChannel socket, Consumer<JsonNode> events) {
        this.socket = socket;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(socket), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(socket);
        this.events = events;
    }

    /**
     * Connects, reads the greeting and leaves negotiation mode. QEMU's QMP socket serves one client
     * at a time and greets each new one once the previous one has gone (so a later process can
     * connect again); a connection made while another client is still connected waits unanswered
     * in the listen backlog, which is why the greeting is bounded by {@code timeout} too.
     */
    public static QmpClient connect(Path socketPath, Consumer<JsonNode> events, Duration timeout) throws IOException {
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        QmpClient client = null;
        CompletableFuture<Void> greeted = new CompletableFuture<>();
        try {
            socket.connect(UnixDomainSocketAddress.of(socketPath));
            client = new QmpClient(socket, events);
            greeted.completeOnTimeout(null, timeout.toMillis(), TimeUnit.MILLISECONDS).thenRun(() -> {
                if (!greeted.isCancelled()) {
                    closeQuietly(socket);
                }
            });
            String greeting;
            try {
                greeting = client.readLine();
            } catch (IOException e) {
                if (greeted.isDone() && !greeted.isCancelled()) {
                    throw new VmException("QEMU sent no QMP greeting on " + socketPath + " within "
                            + timeout.toSeconds() + " s; another client may still hold its one QMP connection", e);
                }
                throw e;
            }
            if (!greeted.cancel(false)) {
                throw new VmException("QEMU sent no QMP greeting on " + socketPath + " within "
                        + timeout.toSeconds() + " s; another client may still hold its one QMP connection");
            }
            if (greeting == null || !JSON.readTree(greeting).has("QMP")) {
                throw new VmException("QEMU sent no QMP greeting on " + socketPath);
            }
            QmpClient c = client;
            Thread.ofVirtual().name("qmp-reader").start(c::readLoop);
            client.execute("qmp_capabilities", null, timeout);
            return client;
        } catch (IOException | RuntimeException e) {
            if (client != null) {
                client.close();
            } else {
                socket.close();
            }
            throw e;
        }
    }

    /**
     * Runs a command and returns its {@code return} value.
     *
     * @throws VmException with QEMU's error class and description if the command failed
     */
    public JsonNode execute(String command, Map<String, ?> arguments, Duration timeout) throws IOException {
        String id = "skiff-" + ids.incrementAndGet();
        ObjectNode request = JSON.createObjectNode().put("execute", command).put("id", id);
        if (arguments != null) {
            request.set("arguments", JSON.valueToTree(arguments));
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        try {
            if (closedBy != null) {
                throw new VmException("QMP connection is closed: " + closedBy.getMessage(), closedBy);
            }
            synchronized (out) {
                out.write((JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            JsonNode r = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (r.has("error")) {
                JsonNode err = r.get("error");
                throw new VmException("QEMU refused " + command + ": " + err.path("desc").asText()
                        + " (" + err.path("class").asText() + ")");
            }
            return r.path("return");
        } catch (TimeoutException e) {
            throw new VmException("QEMU did not answer " + command + " within " + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw new VmException("QMP connection lost during " + command + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VmException("interrupted waiting for QEMU to answer " + command, e);
        } catch (IOException e) {
            if (e instanceof VmException) {
                throw e;
            }
            throw new VmException("failed to send " + command + " to QEMU: " + e.getMessage(), e);
        } finally {
            pending.remove(id);
        }
    }

    private void readLoop() {
        try {
            String line;
            while ((line = readLine()) != null) {
                JsonNode msg;
                try {
                    msg = JSON.readTree(line);
                } catch (IOException e) {
                    continue; // not JSON: QEMU never sends that, and one bad line must not end the session
                }
                if (msg.has("event")) {
                    events.accept(msg);
                } else if (msg.has("id")) {
                    CompletableFuture<JsonNode> f = pending.get(msg.get("id").asText());
                    if (f != null) {
                        f.complete(msg);
                    }
                }
            }
            fail(new IOException("QEMU closed the QMP socket"));
        } catch (IOException e) {
            fail(e);
        }
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                return sb.toString();
            }
            if (sb.length() >= MAX_LINE) {
                throw new IOException("QMP line longer than " + MAX_LINE + " characters");
            }
            sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private void fail(IOException cause) {
        synchronized (closed) {
            if (closedBy == null) {
                closedBy = cause;
            }
        }
        pending.values().forEach(f -> f.completeExceptionally(cause));
        closed.complete(closedBy);
    }

    /**
     * Completes, with the reason, when the connection ends: QEMU closed the socket (it exited, or
     * is exiting), the connection failed, or {@link #close()} was called.
     */
    public CompletableFuture<IOException> closed() {
        return closed;
    }

    @Override
    public void close() {
        fail(new IOException("QMP client closed"));
        closeQuietly(socket);
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to do
        }
    }
}
