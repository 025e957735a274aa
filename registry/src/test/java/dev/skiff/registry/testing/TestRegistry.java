package dev.skiff.registry.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's docker-registry (distribution 2.8.2) on 127.0.0.1 with its own config and storage under
 * {@code dir}, stopped by its process handle. {@code auth} is the config's auth section in YAML, or
 * empty for an open registry. The tests fail, not skip, when the package is missing. Shared with
 * the engine's and the CLI's tests through this module's test jar.
 */
public final class TestRegistry implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Process process;
    private final int port;
    public final Path dir;

    private TestRegistry(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    public static TestRegistry start(Path dir, String auth) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: apt-get install docker-registry (./skiff test does)");
        }
        Files.createDirectories(dir.resolve("data"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.writeString(dir.resolve("config.yml"), """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                %s
                """.formatted(dir.resolve("data"), port, auth));
        Process p = new ProcessBuilder(BINARY.toString(), "serve", dir.resolve("config.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        TestRegistry r = new TestRegistry(p, port, dir);
        r.awaitReady();
        return r;
    }

    public String host() {
        return "127.0.0.1:" + port;
    }

    /** /v2/ answering at all (200, or 401 with auth) is the event; the process dying is a failure. */
    private void awaitReady() throws Exception {
        HttpClient http = HTTP;
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("docker-registry did not answer within a minute", notYet);
                }
            }
            Thread.sleep(100); // the port answering is the only signal the registry gives
        }
    }

    /** A blob uploaded with POST then PUT ?digest=, as a client pushes one. */
    public void pushBlob(String repo, byte[] bytes) throws Exception {
        HttpResponse<Void> start = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/" + repo
                + "/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding());
        if (start.statusCode() != 202) {
            throw new IOException("upload of a blob to " + repo + " refused: HTTP " + start.statusCode());
        }
        URI location = URI.create("http://" + host() + "/").resolve(start.headers().firstValue("Location").orElseThrow());
        String sep = location.getQuery() == null ? "?" : "&";
        HttpResponse<String> done = HTTP.send(HttpRequest.newBuilder(URI.create(location + sep + "digest="
                + sha256(bytes))).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .header("Content-Type", "application/octet-stream").build(), HttpResponse.BodyHandlers.ofString());
        if (done.statusCode() != 201) {
            throw new IOException("upload of a blob to " + repo + " failed: HTTP " + done.statusCode() + " " + done.body());
        }
    }

    /** PUT of a manifest or an index under a tag or digest. */
    public void putManifest(String repo, String reference, String mediaType, byte[] bytes) throws Exception {
        HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + host() + "/v2/" + repo
                + "/manifests/" + reference)).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
                .header("Content-Type", mediaType).build(), HttpResponse.BodyHandlers.ofString());
        if (reply.statusCode() != 201) {
            throw new IOException("PUT of manifest " + repo + ":" + reference + " failed: HTTP " + reply.statusCode()
                    + " " + reply.body());
        }
    }

    /** A layer as pushed: its bytes (compressed or not) and its media type. */
    public record Layer(byte[] bytes, String mediaType) {
        public static Layer gzip(byte[] tar) throws IOException {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
                gz.write(tar);
            }
            return new Layer(out.toByteArray(), "application/vnd.docker.image.rootfs.diff.tar.gzip");
        }
    }

    /**
     * An image pushed as a Docker schema 2 manifest (OCI when a layer has an OCI media type): the config and every
     * layer uploaded, then the manifest under {@code tag}. Returns "sha256:... SIZE" of the manifest.
     */
    public String pushImage(String repo, String tag, byte[] config, List<Layer> layers) throws Exception {
        boolean oci = layers.stream().anyMatch(l -> l.mediaType().startsWith("application/vnd.oci."));
        String type = oci ? "application/vnd.oci.image.manifest.v1+json"
                : "application/vnd.docker.distribution.manifest.v2+json";
        pushBlob(repo, config);
        StringBuilder m = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + type + "\",\"config\":{"
                + "\"mediaType\":\"" + (oci ? "application/vnd.oci.image.config.v1+json"
                : "application/vnd.docker.container.image.v1+json") + "\",\"size\":" + config.length
                + ",\"digest\":\"" + sha256(config) + "\"},\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            pushBlob(repo, l.bytes());
            m.append(i == 0 ? "" : ",").append("{\"mediaType\":\"").append(l.mediaType()).append("\",\"size\":")
                    .append(l.bytes().length).append(",\"digest\":\"").append(sha256(l.bytes())).append("\"}");
        }
        byte[] manifest = m.append("]}").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        putManifest(repo, tag, type, manifest);
        return sha256(manifest) + " " + manifest.length;
    }

    public static String sha256(byte[] bytes) {
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(
                    java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Runs skopeo (copy, inspect) against this or any loopback registry; returns stdout, failing on an error. */
    public static String skopeo(Path workDir, List<String> args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("skopeo", "--insecure-policy"));
        cmd.addAll(args);
        Path out = Files.createTempFile(workDir, "skopeo", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException("skopeo " + args + " did not finish in 5 minutes");
        }
        String text = Files.readString(out);
        Files.delete(out);
        if (p.exitValue() != 0) {
            throw new IOException("skopeo " + args + " failed (" + p.exitValue() + "): " + text);
        }
        return text;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
