package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bind mounts over virtio-fs (issue 20) through the docker CLI, with a daemon whose daemon.json
 * says {@code "file-sharing": "virtiofs"}: in the shared VM and in a dedicated one, a container
 * reads the host's file and writes one the host reads, its mount is the kernel's virtiofs client,
 * docker inspect names the transport, a read-only bind refuses writes, and each run's share is
 * released with it (no descriptor on the folder, no mapping of guest memory left in the daemon).
 * The file-system semantics themselves are {@code selftest.FolderShareTests}, run on both transports.
 */
class DockerVirtioFsIT {
    private static DaemonProcess daemon;
    private static Path base;

    @BeforeAll
    static void startDaemon() throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), "sv");
        Files.writeString(base.resolve("daemon.json"), "{\"file-sharing\": \"virtiofs\"}\n");
        daemon = new DaemonProcess(base);
        daemon.start();
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        DockerIT.removeAllAndStop(daemon, base);
    }

    /**
     * What the daemon still holds of a share once no container uses it: descriptors on the folder,
     * and mappings of a VM's guest RAM (a virtio-fs server maps it while its session lives).
     * Waits for them to go (a removed container's shares are released as it ends), up to 2 min.
     */
    private static String heldAfterUse(Path dir) throws Exception {
        long deadline = System.nanoTime() + DaemonProcess.AWAIT.toNanos();
        while (true) {
            StringBuilder held = new StringBuilder();
            try (var fds = Files.list(Path.of("/proc/" + daemon.pid() + "/fd"))) {
                for (Path fd : fds.toList()) {
                    try {
                        if (Files.readSymbolicLink(fd).startsWith(dir)) {
                            held.append("descriptor on ").append(Files.readSymbolicLink(fd)).append('\n');
                        }
                    } catch (java.io.IOException gone) {
                        // closed while listed
                    }
                }
            }
            Files.readAllLines(Path.of("/proc/" + daemon.pid() + "/maps")).stream()
                    .filter(l -> l.contains("memory-backend-memfd")).forEach(l -> held.append(l).append('\n'));
            if (held.isEmpty() || System.nanoTime() > deadline) {
                return held.toString();
            }
            Thread.sleep(200); // a release has no event on the API; the daemon's own /proc is the state
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "hyperv"})
    void bindMountsAreServedOverVirtioFsAndReleasedWithTheirContainer(String isolation) throws Exception {
        Path dir = Files.createDirectories(base.resolve("share-" + isolation));
        Files.writeString(dir.resolve("host.txt"), "from the host\n");
        String script = "cat /d/host.txt; echo from the container > /d/out.txt; grep ' /d ' /proc/mounts | cut -d' ' -f3;"
                + " echo x > /r/no 2>/dev/null && echo WRITABLE; exit 0";
        // the first run boots the VM and loads the guest's virtiofs client
        String first = daemon.ok("run", "--rm", "--isolation", isolation, "-v", dir + ":/d", "-v", dir + ":/r:ro",
                "busybox", "sh", "-c", script).out();
        assertEquals("from the host\nvirtiofs\n", first, "read the host's file over virtio-fs; the :ro bind refused");
        assertEquals("from the container\n", Files.readString(dir.resolve("out.txt")));
        // one more run after the first: its share must be released too (in hyperv, with its VM)
        assertEquals(first, daemon.ok("run", "--rm", "--isolation", isolation, "-v", dir + ":/d", "-v", dir + ":/r:ro",
                "busybox", "sh", "-c", script).out());
        assertEquals("", heldAfterUse(dir), "each run's virtio-fs servers, roots and guest-memory mappings went with it");
        assertTrue(daemon.logTail().contains("over virtiofs") || Files.readString(base.resolve("daemon.log")).contains(
                "over virtiofs"), "the daemon log names the transport");

        daemon.ok("run", "-d", "--name", "vfs-" + isolation, "--isolation", isolation, "-v", dir + ":/d", "busybox",
                "sleep", "600");
        JsonNode mounts = new ObjectMapper().readTree(daemon.ok("inspect", "--format", "{{json .Mounts}}",
                "vfs-" + isolation).out());
        assertEquals("virtiofs", mounts.get(0).path("Driver").asText(), mounts.toString());
        daemon.ok("rm", "-f", "vfs-" + isolation);
    }
}
