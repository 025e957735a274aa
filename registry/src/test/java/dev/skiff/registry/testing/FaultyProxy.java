package dev.skiff.registry.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A proxy on 127.0.0.1 in front of a {@link TestRegistry} that passes everything through except
 * the blobs it was told to break: what a flaky network, a bad disk on the registry's side, or a
 * registry that goes away does to a pull. Faults are per blob digest.
 */
public final class FaultyProxy implements AutoCloseable {
    /** What happens to a blob's GET. */
    public enum Fault {
        /** one byte of the body flipped, length unchanged: the digest cannot match */
        CORRUPT,
        /** the first GET stops after half the body and drops the connection; later GETs (with Range) pass */
        CUT_ONCE,
        /** the first GET stops after half the body, then the proxy stops answering anything */
        DIE
    }

    private static final Set<String> HOP = Set.of("host", "connection", "content-length", "transfer-encoding",
            "upgrade", "expect", "keep-alive");
    private final HttpServer server;
    private final java.net.ServerSocket front;
    private final String target;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();
    private volatile boolean dead;

    public FaultyProxy(TestRegistry registry) throws IOException {
        this.target = "http://" + registry.host();
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
        this.front = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(this::accept);
    }

    public String host() {
        return "127.0.0.1:" + front.getLocalPort();
    }

    /**
     * The proxy's own port: a TLS hello (a client probing HTTPS first, as dockerd and Skiff do for a loopback
     * registry) gets the 400 a Go server sends a TLS client at once; everything else is relayed to the HTTP server.
     * (The JDK's HTTP server would instead wait for a request line that never comes.)
     */
    private void accept() {
        while (!front.isClosed()) {
            try {
                java.net.Socket client = front.accept();
                Thread.ofVirtual().start(() -> relay(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void relay(java.net.Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            int first = in.read();
            if (first < 0) {
                return;
            }
            if (first == 0x16) {
                client.getOutputStream().write(("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an"
                        + " HTTPS server.\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                return;
            }
            try (java.net.Socket back = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(),
                    server.getAddress().getPort())) {
                back.getOutputStream().write(first);
                Thread up = Thread.ofVirtual().start(() -> pump(in, back));
                pump(back.getInputStream(), client);
                up.join();
            }
        } catch (IOException | InterruptedException e) {
            // a side closed: the relay ends with it
        }
    }

    private static void pump(InputStream from, java.net.Socket to) {
        try {
            from.transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            try {
                to.close();
            } catch (IOException ignored) {
                // closing after a failure
            }
        }
    }

    public void fault(String digest, Fault fault) {
        faults.put(digest, fault);
    }

    /** How many GETs of the blob the proxy saw (each attempt of a download is one). */
    public int gets(String digest) {
        return gets.getOrDefault(digest, new AtomicInteger()).get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (dead) {
                ex.sendResponseHeaders(503, -1);
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            String query = ex.getRequestURI().getRawQuery();
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(target + path + (query == null ? "" : "?" + query)));
            ex.getRequestHeaders().forEach((k, vs) -> {
                if (!HOP.contains(k.toLowerCase())) {
                    vs.forEach(v -> req.header(k, v));
                }
            });
            byte[] body = ex.getRequestBody().readAllBytes();
            req.method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            HttpResponse<byte[]> reply;
            try {
                reply = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            reply.headers().map().forEach((k, vs) -> {
                if (!HOP.contains(k.toLowerCase())) {
                    ex.getResponseHeaders().put(k, vs);
                }
            });
            byte[] out = reply.body();
            String digest = path.contains("/blobs/sha256:") ? path.substring(path.lastIndexOf('/') + 1) : null;
            Fault fault = digest == null || !ex.getRequestMethod().equals("GET") ? null : faults.get(digest);
            int nth = digest == null ? 0 : gets.computeIfAbsent(digest, k -> new AtomicInteger()).incrementAndGet();
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(reply.statusCode(), -1);
                return;
            }
            if (fault == Fault.CORRUPT && out.length > 0 && reply.statusCode() / 100 == 2) {
                out = out.clone();
                out[out.length / 2] ^= 0x5a;
            } else if ((fault == Fault.DIE || fault == Fault.CUT_ONCE && nth == 1) && reply.statusCode() == 200) {
                ex.sendResponseHeaders(200, out.length);
                OutputStream o = ex.getResponseBody();
                o.write(out, 0, out.length / 2);
                o.flush();
                if (fault == Fault.DIE) {
                    dead = true;
                }
                // closing short of the promised length makes the server drop the connection mid-body
                return;
            }
            ex.sendResponseHeaders(reply.statusCode(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(out);
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            front.close();
        } catch (IOException ignored) {
            // closing
        }
        server.stop(0);
    }
}
