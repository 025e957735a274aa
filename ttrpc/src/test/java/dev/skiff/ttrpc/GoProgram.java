package dev.skiff.ttrpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Go program from {@code src/test/go}, built with {@code go build} in GOPATH mode (no module
 * downloads), and run as a ttrpc server or client for the interop tests.
 */
record GoProgram(Path binary) {
    /** Debian's Go sources: golang-github-containerd-ttrpc-dev and friends. */
    static final Path DEBIAN_GOPATH = Path.of("/usr/share/gocode");

    /**
     * The Go toolchain. Without one the calling test fails, saying what to install: interop with
     * containerd's own ttrpc is the point of these tests, and a skip would pass without it.
     * {@code ./skiff test} installs it.
     */
    static Path go() {
        Path go = Stream.of(Path.of("/usr/bin/go"), Path.of("/usr/lib/go/bin/go"))
                .filter(Files::isExecutable).findFirst().orElse(null);
        assertTrue(go != null, "no Go toolchain for the ttrpc interop tests; apt-get install golang-go (./skiff test does)");
        return go;
    }

    /** Fails the calling test, with the hint, unless {@code gopath/src/importPath} exists. */
    static void require(Path gopath, String importPath, String hint) {
        assertTrue(Files.isDirectory(gopath.resolve("src").resolve(importPath)),
                "Go package " + importPath + " not found under " + gopath + "; " + hint);
    }

    /** Builds {@code src/test/go/NAME/main.go} against the given GOPATH entries (first wins). */
    static GoProgram build(String name, List<Path> gopath) throws Exception {
        Path go = go();
        Path out = Path.of("target/go-interop").toAbsolutePath();
        Files.createDirectories(out);
        Path binary = out.resolve(name);
        ProcessBuilder pb = new ProcessBuilder(go.toString(), "build", "-o", binary.toString(),
                Path.of("src/test/go", name, "main.go").toAbsolutePath().toString())
                .redirectErrorStream(true);
        pb.environment().put("GO111MODULE", "off");
        pb.environment().put("GOPATH", String.join(":", gopath.stream().map(Path::toString).toList()));
        pb.environment().put("GOFLAGS", "");
        pb.environment().put("GOPROXY", "off");
        pb.environment().put("GOCACHE", out.resolve("cache").toString());
        Process p = pb.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(150, TimeUnit.SECONDS), "go build did not finish");
        assertEquals(0, p.exitValue(), "go build of " + name + " failed:\n" + log);
        return new GoProgram(binary);
    }

    /** Starts the program as a server on a unix socket and waits for its READY line. */
    Process startServer(Path socket) throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "server", socket.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                ready.complete(out.readLine());
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
        });
        assertEquals("READY", ready.get(60, TimeUnit.SECONDS), "Go server did not start");
        return p;
    }

    /** Runs the program as a client of a unix socket; returns its output lines after a zero exit. */
    List<String> runClient(Path socket) throws Exception {
        Process p = new ProcessBuilder(binary.toString(), "client", socket.toString()).redirectErrorStream(true).start();
        try {
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "Go client did not finish");
            assertEquals(0, p.exitValue(), "Go client failed:\n" + log);
            return log.lines().toList();
        } finally {
            p.destroy();
        }
    }

    /** Stops a process this test started. */
    static void stop(Process p) throws InterruptedException {
        if (p != null && p.isAlive()) {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
