package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The daemon's socket inside containers, as Docker Desktop gives it: a container that bind-mounts
 * /var/run/docker.sock (or the daemon's own socket path) reaches Skiff's API, in the shared VM and
 * in a VM of its own. The client inside is the real docker CLI: this host's static binary, shared
 * into the container from its folder, so no image with a CLI has to be fetched.
 */
class DockerSocketIT extends DaemonIT {
    /** The folder holding the host's docker CLI, a static Go binary that runs in busybox. */
    static String cliFolder() throws Exception {
        for (String dir : System.getenv("PATH").split(":")) {
            Path cli = Path.of(dir, "docker");
            if (Files.isExecutable(cli)) {
                return cli.toRealPath().getParent().toString();
            }
        }
        throw new AssertionError("no docker CLI on PATH");
    }

    private static DaemonProcess.Result insider(String name, String isolation, String socketSource, String... cmd)
            throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--name", name, "--isolation", isolation,
                "-v", socketSource + ":/var/run/docker.sock", "-v", cliFolder() + ":/hostbin:ro",
                "-e", "DOCKER_CONFIG=/tmp", "busybox", "/hostbin/docker"));
        args.addAll(List.of(cmd));
        return docker(args.toArray(String[]::new));
    }

    @Test
    void aContainerInTheSharedVmListsItselfThroughDockerSock() throws Exception {
        var r = insider("insider", "default", "/var/run/docker.sock", "ps", "--format", "{{.Names}} {{.Status}}");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("insider Up")), r.out());
        ok("rm", "insider");
    }

    @Test
    void aDedicatedVmContainerRunsAnotherContainerThroughTheDaemonsOwnSocketPath() throws Exception {
        // docker run from inside: create, attach (a hijacked stream that ends with a half-close),
        // start and wait, all through the relayed socket.
        var r = insider("outer", "hyperv", daemon.socket.toString(), "run", "--rm", "--name", "inner", "busybox",
                "echo", "hello from the inner container");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("hello from the inner container"), r.out());
        assertEquals("", ok("ps", "-aq", "--filter", "name=^inner$").out().strip(), "--rm removed the inner container");
        ok("rm", "outer");
    }

    @Test
    void theSocketIsAvailableToTheContainersRootButNotToOtherUsers() throws Exception {
        var r = docker("run", "--rm", "-v", "/var/run/docker.sock:/var/run/docker.sock", "busybox", "stat", "-c",
                "%F %a %u:%g", "/var/run/docker.sock");
        assertEquals(0, r.code(), r.toString());
        assertEquals("socket 660 0:0", r.out().strip());
        var asNobody = docker("run", "--rm", "--user", "65534:65534", "-v", "/var/run/docker.sock:/var/run/docker.sock",
                "-v", cliFolder() + ":/hostbin:ro", "-e", "DOCKER_CONFIG=/tmp", "busybox", "/hostbin/docker", "ps");
        assertTrue(asNobody.code() != 0 && asNobody.err().contains("permission denied"), asNobody.toString());
    }
}
