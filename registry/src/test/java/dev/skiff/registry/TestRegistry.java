package dev.skiff.registry;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real registry (Debian's docker-registry, distribution 2.8.2) on 127.0.0.1 with its own config and storage
 * in a temporary directory; started by a test class and stopped by its process handle.
 */
final class TestRegistry implements AutoCloseable {
    /** Polls of /v2/ before giving up on start-up; each waits at most the connect timeout below. */
    private static final int READY_TRIES = 200;

    final Path dir;
    final Path data;
    final int port;
    private final Process process;

    /** {@code extraYaml} goes after the http section: an auth block, a middleware block. */
    TestRegistry(Path dir, String extraYaml) throws IOException, InterruptedException {
        String binary = Tools.require("docker-registry", "docker-registry");
        this.dir = dir;
        this.data = Files.createDirectories(dir.resolve("data"));
        this.port = freePort();
        Path config = dir.resolve("config.yml");
        Files.writeString(config, """
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
                """.formatted(data, port, extraYaml));
        this.process = new ProcessBuilder(binary, "serve", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        awaitReady();
    }

    String hostPort() {
        return "127.0.0.1:" + port;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Any HTTP answer from /v2/ means it serves; a refused connection means not yet. */
    private void awaitReady() throws IOException, InterruptedException {
        for (int i = 0; i < READY_TRIES; i++) {
            if (!process.isAlive()) {
                fail("docker-registry exited with " + process.exitValue() + ":\n"
                        + Files.readString(dir.resolve("registry.log")));
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://" + hostPort() + "/v2/").toURL()
                        .openConnection();
                c.setConnectTimeout(100);
                c.setReadTimeout(5000);
                c.getResponseCode();
                c.disconnect();
                return;
            } catch (IOException notYet) {
                process.waitFor(20, TimeUnit.MILLISECONDS); // returns at once if it died; else paces the polls
            }
        }
        close();
        fail("docker-registry did not answer on " + hostPort() + ":\n" + Files.readString(dir.resolve("registry.log")));
    }

    /** Kills it now, as a registry that dies mid-transfer would. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
