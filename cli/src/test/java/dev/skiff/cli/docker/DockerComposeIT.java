package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Debian's docker-compose 1.29.2 (docker-py) against a real `skiff daemon`: a stack with a user
 * network, a named volume shared by two services, a published port and depends_on, brought up,
 * listed, read from, exec'd into and taken down with its volume. Traffic stays on 127.0.0.1 and
 * inside the test's VMs.
 */
class DockerComposeIT extends DaemonIT {
    private static final String PROJECT = "skifftest";

    private static DaemonProcess.Result compose(Path file, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker-compose", "--no-ansi", "-f", file.toString(), "-p", PROJECT));
        cmd.addAll(List.of(args));
        return daemon.client(cmd, null);
    }

    private static DaemonProcess.Result composeOk(Path file, String... args) throws Exception {
        DaemonProcess.Result r = compose(file, args);
        assertEquals(0, r.code(), "docker-compose " + String.join(" ", args) + " failed: " + r.err() + r.out()
                + "\ndaemon log:\n" + daemon.logTail());
        return r;
    }

    @Test
    void aStackComesUpWorksAndGoesDownWithItsVolume() throws Exception {
        int port = DockerNetworkIT.freePort();
        Path file = base.resolve("docker-compose.yml");
        Files.writeString(file, """
                version: "3.8"
                services:
                  store:
                    image: busybox
                    command: sh -c "echo from-store > /data/index.html; exec httpd -f -p 8080 -h /data"
                    volumes: ["shared:/data"]
                    networks: ["back"]
                    labels: {tier: store}
                  web:
                    image: busybox
                    depends_on: ["store"]
                    command: httpd -f -p 80 -h /www
                    volumes: ["shared:/www:ro"]
                    ports: ["127.0.0.1:%d:80"]
                    networks: ["back"]
                volumes:
                  shared: {}
                networks:
                  back: {}
                """.formatted(port));
        composeOk(file, "up", "-d");
        String ps = composeOk(file, "ps").out();
        assertTrue(ps.contains(PROJECT + "_store_1") && ps.contains(PROJECT + "_web_1"), ps);
        assertTrue(ps.contains("Up"), ps);
        assertEquals("from-store\n", new String(DockerNetworkIT.fetch("http://127.0.0.1:" + port + "/index.html")),
                "web serves what store wrote into the shared volume, on its published port");
        assertEquals("from-store\n", composeOk(file, "exec", "-T", "web", "sh", "-c",
                "timeout 30 wget -qO- http://store:8080/index.html").out(), "service names resolve on the network");
        assertTrue(ok("volume", "ls", "-q").out().contains(PROJECT + "_shared"));
        assertTrue(ok("network", "ls", "--format", "{{.Name}}").out().contains(PROJECT + "_back"));
        assertEquals(2, ok("ps", "-q", "--filter", "label=com.docker.compose.project=" + PROJECT).out().lines()
                .count());
        composeOk(file, "logs", "store");
        composeOk(file, "down", "-v");
        assertEquals("", ok("ps", "-aq", "--filter", "label=com.docker.compose.project=" + PROJECT).out());
        assertFalse(ok("volume", "ls", "-q").out().contains(PROJECT + "_shared"));
        assertFalse(ok("network", "ls", "--format", "{{.Name}}").out().contains(PROJECT + "_back"));
    }
}
