package dev.skiff.registry;

import javax.net.ssl.SSLContext;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A registry that misbehaves on purpose: a raw HTTP/1.1 server on 127.0.0.1 (over TLS when given a context),
 * one virtual thread per connection and one request per connection, so a handler can cut a body short, hang,
 * or send what no real registry would. A plain one closes TLS hellos at once, so the client's https-first probe
 * of a loopback registry falls back to http without waiting.
 */
final class FakeRegistry implements AutoCloseable {
    record Request(String method, String target, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    @FunctionalInterface
    interface Handler {
        void handle(Request request, Exchange exchange) throws IOException, InterruptedException;
    }

    /** One response on one connection. */
    static final class Exchange {
        private final Socket socket;
        private final OutputStream out;

        Exchange(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        void head(int status, Map<String, String> headers, long contentLength) throws IOException {
            StringBuilder b = new StringBuilder("HTTP/1.1 " + status + " X\r\nConnection: close\r\n");
            headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
            if (contentLength >= 0) {
                b.append("Content-Length: ").append(contentLength).append("\r\n");
            }
            out.write(b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        void send(int status, Map<String, String> headers, byte[] body) throws IOException {
            head(status, headers, body.length);
            out.write(body);
            out.flush();
        }

        /** Writes part of a body and flushes, so the client has it before whatever comes next. */
        void write(byte[] body, int from, int to) throws IOException {
            out.write(body, from, to - from);
            out.flush();
        }

        /** Drops the connection, as a registry or a proxy that dies does. */
        void cut() throws IOException {
            socket.close();
        }
    }

    private final ServerSocket server;
    private final Handler handler;
    private final boolean tls;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Handlers that hang wait on this; closing the fake releases them. */
    final CountDownLatch closed = new CountDownLatch(1);

    FakeRegistry(SSLContext tlsContext, Handler handler) throws IOException {
        this.tls = tlsContext != null;
        this.server = tls
                ? tlsContext.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress())
                : new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.handler = handler;
        Thread.ofVirtual().start(this::accept);
    }

    /** A handler that answers /v2/ with 200 and hands everything else to {@code rest}. */
    static Handler withPing(Handler rest) {
        return (r, ex) -> {
            if (r.target().equals("/v2/")) {
                ex.send(200, Map.of("Content-Type", "application/json"), "{}".getBytes(StandardCharsets.UTF_8));
            } else {
                rest.handle(r, ex);
            }
        };
    }

    int port() {
        return server.getLocalPort();
    }

    String hostPort() {
        return "127.0.0.1:" + port();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            if (!tls) {
                in.mark(1);
                if (in.read() == 0x16) {
                    return; // a TLS ClientHello: this fake speaks plain HTTP only
                }
                in.reset();
            }
            String requestLine = line(in);
            if (requestLine == null || requestLine.isEmpty()) {
                return;
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
                int c = l.indexOf(':');
                headers.put(l.substring(0, c).strip().toLowerCase(Locale.ROOT), l.substring(c + 1).strip());
            }
            long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
            in.skipNBytes(length);
            String[] parts = requestLine.split(" ");
            Request r = new Request(parts[0], parts[1], headers);
            requests.add(r);
            handler.handle(r, new Exchange(s));
        } catch (IOException | InterruptedException e) {
            // the client went away, or the test cut the connection
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c >= 0; c = in.read()) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        closed.countDown();
        server.close();
    }
}
