package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dedicated-VM pool (issue 20) through the docker CLI, with a daemon whose daemon.json asks for
 * one pooled VM: a container with Hyper-V isolation runs in the VM that waited in the pool (booted
 * before the request: its uptime is longer than the run took), the pool boots a replacement, and the
 * next container gets a VM no container had: a new boot id and nothing of the first one's files. A
 * container that ran in a pooled VM keeps its files for its next start, which boots a VM with them.
 */
class DockerPoolIT {
    private static DaemonProcess daemon;
    private static Path base;

    @BeforeAll
    static void startDaemon() throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), "sp");
        Files.writeString(base.resolve("daemon.json"), "{\"dedicated-vm-pool\": 1}\n");
        daemon = new DaemonProcess(base);
        daemon.start();
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        DockerIT.removeAllAndStop(daemon, base);
    }

    /** The daemon's VMs as docker info lists them: name to "MODE, pid N, K containers". */
    private static Map<String, String> vms() throws Exception {
        JsonNode status = new ObjectMapper().readTree(daemon.ok("info", "--format", "{{json .DriverStatus}}").out());
        Map<String, String> vms = new LinkedHashMap<>();
        for (JsonNode row : status) {
            if (row.get(0).asText().startsWith(" skiff-")) {
                vms.put(row.get(0).asText().strip(), row.get(1).asText());
            }
        }
        return vms;
    }

    /** Waits until a VM waits in the pool (booted and warmed in the background), and returns its name. */
    private static String awaitPooled(String notThis) throws Exception {
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(5).toNanos();
        while (true) {
            for (var vm : vms().entrySet()) {
                if (vm.getValue().startsWith("pooled,") && !vm.getKey().equals(notThis)) {
                    return vm.getKey();
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no VM waits in the pool after 5 min: " + vms() + "\n" + daemon.logTail());
            }
            Thread.sleep(500); // the pool's refill has no event of its own on the API; docker info is the state
        }
    }

    @Test
    void aDedicatedContainerRunsInAVmBootedAheadKeepsItsFilesAndTheNextGetsAFreshVm() throws Exception {
        String first = awaitPooled(null);
        assertTrue(first.startsWith("skiff-p"), first);
        long t0 = System.nanoTime();
        // its first run marks its files and sleeps; a second run (docker start) finds the mark and says so
        daemon.ok("run", "-d", "--name", "p1", "--isolation=hyperv", "busybox", "sh", "-c",
                "if [ -e /mark ]; then cat /mark; exit 0; fi; echo secret > /tmp/mark; echo secret > /mark; "
                        + "cut -d' ' -f1 /proc/uptime > /up; exec sleep 600");
        double runSeconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(vms().getOrDefault(first, "").startsWith("dedicated, pid"),
                "the container took the pooled VM " + first + ": " + vms());
        double uptime = Double.parseDouble(awaitUptime("p1"));
        assertTrue(uptime > runSeconds, "the VM was up " + uptime + " s when the container started, "
                + runSeconds + " s after the request: it was booted before it");
        String firstBoot = daemon.ok("exec", "p1", "cat", "/proc/sys/kernel/random/boot_id").out().strip();

        daemon.ok("kill", "p1");
        assertEquals("secret", daemon.ok("start", "-a", "p1").out().strip(),
                "a container from the pool keeps its files for its next start (a VM booted with its disk)");
        String id = daemon.ok("inspect", "--format", "{{.Id}}", "p1").out().strip();
        Path kept = base.resolve("data/vms/skiff-" + id.substring(0, 12));
        assertTrue(Files.exists(kept.resolve("scratch.ext4")), "its upper layer is kept under the container's name");
        daemon.ok("rm", "p1");
        assertTrue(Files.notExists(kept), "docker rm deletes it");

        String second = awaitPooled(first);
        String out = daemon.ok("run", "--rm", "--isolation=hyperv", "busybox", "sh", "-c",
                "cat /proc/sys/kernel/random/boot_id; ls /mark /tmp/mark 2>&1; ls /sys/class/net").out();
        String secondBoot = out.lines().findFirst().orElse("");
        assertNotEquals(firstBoot, secondBoot, "a new VM: " + out);
        assertTrue(out.contains("/mark: No such file") && out.contains("/tmp/mark: No such file"),
                "nothing of the first container's files: " + out);
        assertEquals("eth0\nlo", out.lines().skip(3).reduce((a, b) -> a + "\n" + b).orElse(""),
                "the warm-up container's network is gone: " + out);
        assertTrue(daemon.ok("ps", "-aq").out().isBlank(), "no warm-up container shows");
        assertTrue(!vms().getOrDefault(second, "").startsWith("pooled"), "the run took " + second + ": " + vms());
    }

    /** The uptime the container wrote at its start: it may not have written it when docker run -d returns. */
    private static String awaitUptime(String container) throws Exception {
        long deadline = System.nanoTime() + DaemonProcess.AWAIT.toNanos();
        while (true) {
            DaemonProcess.Result r = daemon.docker(java.util.List.of("exec", container, "cat", "/up"), null);
            if (r.code() == 0 && !r.out().isBlank()) {
                return r.out().strip();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(container + " wrote no /up: " + r.err() + "\n" + daemon.logTail());
            }
            Thread.sleep(200); // the container's write is the event; the host can only look
        }
    }
}
