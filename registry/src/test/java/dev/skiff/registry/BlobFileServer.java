package dev.skiff.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * Stands in for the storage a registry's redirect middleware sends blob GETs to (S3, a CDN): serves the
 * registry's storage directory by path, and keeps any Authorization header it receives, which must never
 * arrive (distribution-spec: "MUST NOT forward Authorization headers across host boundaries").
 */
final class BlobFileServer implements AutoCloseable {
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final List<String> served = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final Path root;

    BlobFileServer(Path root) throws IOException {
        this.root = root;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::serve);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    String middlewareYaml() {
        return """
                middleware:
                  storage:
                    - name: redirect
                      options:
                        baseurl: %s
                """.formatted(baseUrl());
    }

    private void serve(HttpExchange ex) throws IOException {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null) {
            authorizations.add(auth);
        }
        Path file = root.resolve(ex.getRequestURI().getPath().substring(1)).normalize();
        if (auth != null || !file.startsWith(root) || !Files.isRegularFile(file)) {
            ex.sendResponseHeaders(auth != null ? 400 : 404, -1);
            ex.close();
            return;
        }
        served.add(ex.getRequestURI().getPath());
        byte[] data = Files.readAllBytes(file);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(200, head ? -1 : data.length);
        try (OutputStream out = ex.getResponseBody()) {
            if (!head) {
                out.write(data);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
