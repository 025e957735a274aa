package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.model.HostConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/**
 * Testcontainers-java 2.0.5, unchanged, against a real `skiff daemon` (started here, at the socket the
 * module's failsafe configuration names in DOCKER_HOST): start with a log wait and with an HTTP wait on
 * an exposed port, exec with exit code and stderr, copy to and from a container, logs, a bind mount,
 * a network with aliases, and --isolation=hyperv through a create-command modifier. Ryuk is off (its
 * image cannot be fetched here); each test stops what it started.
 */
class GenericContainerIT {
    private static DaemonProcess daemon;
    private static Path base;

    @BeforeAll
    static void startDaemon() throws Exception {
        base = Path.of(System.getProperty("skiff.tc.base", "/tmp/skiff-tc"));
        if (Files.exists(base.resolve("run/docker.sock"))) {
            throw new IllegalStateException(base + " holds a socket: another test run uses it, or one was killed;"
                    + " stop its daemon and delete the folder");
        }
        Files.createDirectories(base);
        // Skiff's own class path (what the launcher runs), not this JVM's: Testcontainers brings other Jacksons
        Path cli = Path.of(System.getProperty("skiff.root")).resolve("cli/target");
        daemon = new DaemonProcess(base, cli.resolve("skiff.jar") + java.io.File.pathSeparator + cli.resolve("lib/*"));
        daemon.start();
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        DockerIT.removeAllAndStop(daemon, base);
        Folders.deleteTree(base);
    }

    private static GenericContainer<?> sleeper() {
        return new GenericContainer<>("busybox:latest")
                .withCommand("sh", "-c", "echo started; exec sleep 600")
                .waitingFor(Wait.forLogMessage(".*started.*\\n", 1));
    }

    @Test
    void startExecCopyAndLogs() throws Exception {
        try (GenericContainer<?> c = sleeper()) {
            c.start();
            ExecResult r = c.execInContainer("sh", "-c", "echo out; echo err >&2; exit 3");
            assertEquals(3, r.getExitCode());
            assertEquals("out\n", r.getStdout());
            assertEquals("err\n", r.getStderr());
            c.copyFileToContainer(Transferable.of("copied in\n"), "/tmp/in.txt");
            assertEquals("copied in\n", c.execInContainer("cat", "/tmp/in.txt").getStdout());
            c.execInContainer("sh", "-c", "echo made inside > /tmp/out.txt");
            String out = c.copyFileFromContainer("/tmp/out.txt",
                    in -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
            assertEquals("made inside\n", out);
            assertTrue(c.getLogs().contains("started"), c.getLogs());
        }
    }

    @Test
    void anHttpWaitOnAnExposedPortThenAFetchFromTheHost() throws Exception {
        try (GenericContainer<?> c = new GenericContainer<>("busybox:latest")
                .withCommand("sh", "-c", "mkdir -p /w && echo served > /w/index.html && exec httpd -f -p 80 -h /w")
                .withExposedPorts(80)
                .waitingFor(Wait.forHttp("/index.html").forStatusCode(200))) {
            c.start();
            String url = "http://" + c.getHost() + ":" + c.getMappedPort(80) + "/index.html";
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals("served\n", r.body());
        }
    }

    @Test
    void aBindMountWrittenInsideIsOnTheHost() throws Exception {
        Path dir = Files.createTempDirectory("skiff-tc-bind");
        try (GenericContainer<?> c = sleeper().withFileSystemBind(dir.toString(), "/data", BindMode.READ_WRITE)) {
            c.start();
            // Testcontainers' own check, run before the first bind: a container with one file bound into
            // it, read back with docker cp
            assertTrue(DockerClientFactory.instance().isFileMountingSupported(), "Testcontainers' file mounting check");
            assertEquals(0, c.execInContainer("sh", "-c", "echo bound > /data/f").getExitCode());
            assertEquals("bound\n", Files.readString(dir.resolve("f")));
        } finally {
            Folders.deleteTree(dir);
        }
    }

    @Test
    void aNetworkWithAliases() throws Exception {
        try (Network net = Network.newNetwork();
             GenericContainer<?> server = new GenericContainer<>("busybox:latest")
                     .withCommand("sh", "-c", "mkdir -p /w && echo by-alias > /w/index.html && echo up && exec httpd"
                             + " -f -p 80 -h /w")
                     .withNetwork(net).withNetworkAliases("server")
                     .waitingFor(Wait.forLogMessage(".*up.*\\n", 1));
             GenericContainer<?> client = sleeper().withNetwork(net)) {
            server.start();
            client.start();
            ExecResult r = client.execInContainer("sh", "-c", "timeout 30 wget -qO- http://server/index.html");
            assertEquals("by-alias\n", r.getStdout(), r.getStderr());
        }
    }

    @Test
    void hypervIsolationThroughACreateCommandModifier() throws Exception {
        try (GenericContainer<?> shared = sleeper();
             GenericContainer<?> own = sleeper().withCreateContainerCmdModifier(cmd ->
                     cmd.withHostConfig((cmd.getHostConfig() == null ? new HostConfig() : cmd.getHostConfig())
                             .withIsolation(com.github.dockerjava.api.model.Isolation.HYPERV)))) {
            shared.start();
            own.start();
            String a = shared.execInContainer("cat", "/proc/sys/kernel/random/boot_id").getStdout();
            String b = own.execInContainer("cat", "/proc/sys/kernel/random/boot_id").getStdout();
            assertNotEquals(a, b, "a VM of its own: another kernel");
        }
    }
}
