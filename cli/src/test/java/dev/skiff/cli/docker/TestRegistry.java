package dev.skiff.cli.docker;

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
 * empty for an open registry. The tests fail, not skip, when the package is missing.
 */
final class TestRegistry implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/docker-registry");
    private final Process process;
    private final int port;
    final Path dir;

    private TestRegistry(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static TestRegistry start(Path dir, String auth) throws Exception {
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

    String host() {
        return "127.0.0.1:" + port;
    }

    /** /v2/ answering at all (200, or 401 with auth) is the event; the process dying is a failure. */
    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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

    /** Runs skopeo (copy, inspect) against this or any loopback registry; returns stdout, failing on an error. */
    static String skopeo(Path workDir, List<String> args) throws Exception {
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
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
