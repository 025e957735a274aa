package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Health checks and docker update through the real docker CLI against a real `skiff daemon`: a failing probe makes
 * a container unhealthy and a passing one healthy again (each change a {@code health_status} event), ps shows and
 * filters it, a slow probe is cut at its timeout with Docker's message, a stop and start begin the checks again, as
 * does a new daemon finding the container still running,
 * {@code --no-healthcheck}; {@code docker update --restart} taking effect at the next exit, and a memory limit
 * refused.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerHealthIT extends DaemonIT {
    /** Generous: probes are execs in a VM under TCG, on a machine other tests share. */
    private static final Duration SETTLE = Duration.ofMinutes(5);

    private static String inspect(String format, String name) throws Exception {
        return ok("inspect", "--format", format, name).out().strip();
    }

    /**
     * Waits for the event {@code action} of container {@code name} at or after {@code since}: a `docker events`
     * stream, which replays what already happened from {@code since} on, so nothing is missed.
     */
    private static void awaitEvent(String name, String action, Instant since) throws Exception {
        String sinceArg = since.getEpochSecond() + "." + String.format("%09d", since.getNano());
        List<String> cmd = List.of("docker", "-H", "unix://" + daemon.socket, "events", "--since", sinceArg,
                "--filter", "container=" + name, "--format", "{{.Action}}");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("DOCKER_CONFIG", base.resolve("docker-config").toString());
        Process p = pb.start();
        List<String> seen = new ArrayList<>();
        CompletableFuture<Boolean> found = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    synchronized (seen) {
                        seen.add(line);
                    }
                    if (line.equals(action)) {
                        return true;
                    }
                }
                return false;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        try {
            assertTrue(found.get(SETTLE.toSeconds(), TimeUnit.SECONDS), "the event stream ended before " + action);
        } catch (TimeoutException e) {
            synchronized (seen) {
                throw new AssertionError(name + ": no \"" + action + "\" within " + SETTLE.toMinutes() + " min; saw "
                        + seen + "; health " + inspect("{{json .State.Health}}", name) + "\ndaemon log:\n"
                        + daemon.logTail());
            }
        } finally {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The CLI fails, saying {@code message}. */
    private static void refused(String message, String... args) throws Exception {
        DaemonProcess.Result r = docker(args);
        assertNotEquals(0, r.code(), String.join(" ", args));
        assertTrue(r.err().contains(message), r.err());
    }

    @Test
    @Order(1)
    void aFailingProbeMakesItUnhealthyAndAPassingOneHealthy() throws Exception {
        Instant since = Instant.now().minusSeconds(1);
        ok("run", "-d", "--name", "doc", "--health-cmd", "test -f /tmp/ok", "--health-interval", "1s",
                "--health-retries", "2", "busybox", "sleep", "600");
        assertEquals("{\"Test\":[\"CMD-SHELL\",\"test -f /tmp/ok\"],\"Interval\":1000000000,\"Retries\":2}",
                inspect("{{json .Config.Healthcheck}}", "doc"), "the CLI's flags in Docker's shape, in nanoseconds");
        awaitEvent("doc", "health_status: unhealthy", since);
        assertEquals("unhealthy", inspect("{{.State.Health.Status}}", "doc"));
        assertTrue(ok("ps", "--filter", "name=doc", "--format", "{{.Status}}").out().strip().endsWith("(unhealthy)"));
        assertTrue(ok("ps", "--filter", "health=unhealthy", "--format", "{{.Names}}").out().contains("doc"));
        assertNotEquals("0", inspect("{{(index .State.Health.Log 0).ExitCode}}", "doc"));

        ok("exec", "doc", "touch", "/tmp/ok");
        awaitEvent("doc", "health_status: healthy", since);
        assertEquals("healthy 0", inspect("{{.State.Health.Status}} {{.State.Health.FailingStreak}}", "doc"));
        assertTrue(ok("ps", "--filter", "name=doc", "--format", "{{.Status}}").out().strip().endsWith("(healthy)"));
        assertEquals("doc", ok("ps", "--filter", "health=healthy", "--format", "{{.Names}}").out().strip());
        assertFalse(ok("ps", "--filter", "health=unhealthy", "--format", "{{.Names}}").out().contains("doc"));
        int logged = Integer.parseInt(inspect("{{len .State.Health.Log}}", "doc"));
        assertTrue(logged >= 3 && logged <= 5, "the last five results at most: " + logged);
        int execs = Integer.parseInt(inspect("{{len .ExecIDs}}", "doc"));
        assertTrue(execs <= 2, "probes do not stay in ExecIDs (the test's own exec, and a probe in flight): " + execs);
        refused("Unrecognised filter value for health: great", "ps", "--filter", "health=great");
    }

    @Test
    @Order(2)
    void aStopLeavesItUnhealthyAndAStartChecksAgain() throws Exception {
        ok("stop", "-t", "1", "doc");
        assertEquals("unhealthy", inspect("{{.State.Health.Status}}", "doc"), "as moby leaves a stopped container");
        Instant since = Instant.now();
        ok("start", "doc");
        awaitEvent("doc", "health_status: healthy", since); // starting, then the file (kept across runs) is there
        assertEquals("running healthy", inspect("{{.State.Status}} {{.State.Health.Status}}", "doc"));
    }

    @Test
    @Order(3)
    void aDaemonKilledAndStartedAgainChecksItsRunningContainersAgain() throws Exception {
        daemon.kill();
        daemon.start();
        Instant since = Instant.now().minusSeconds(1);
        assertEquals("running", inspect("{{.State.Status}}", "doc"), "live restore: it ran on without the daemon");
        awaitEvent("doc", "health_status: healthy", since); // the new daemon's monitor: starting, then healthy
        assertEquals("healthy", inspect("{{.State.Health.Status}}", "doc"));
    }

    @Test
    @Order(4)
    void aProbePastItsTimeoutIsKilledAndReportedAsDockerReportsIt() throws Exception {
        Instant since = Instant.now().minusSeconds(1);
        ok("run", "-d", "--name", "slow", "--health-cmd", "sleep 30", "--health-timeout", "1s", "--health-interval",
                "1s", "--health-retries", "1", "busybox", "sleep", "600");
        awaitEvent("slow", "health_status: unhealthy", since);
        String log = inspect("{{range .State.Health.Log}}{{.ExitCode}} {{.Output}}|{{end}}", "slow");
        assertTrue(log.startsWith("-1 Health check exceeded timeout (1s)|"), log);
    }

    @Test
    @Order(5)
    void noHealthcheckHasNoHealth() throws Exception {
        ok("run", "-d", "--name", "plain", "--no-healthcheck", "busybox", "sleep", "600");
        assertEquals("{\"Test\":[\"NONE\"]}", inspect("{{json .Config.Healthcheck}}", "plain"));
        assertEquals("null", inspect("{{json .State.Health}}", "plain"));
        assertEquals("plain", ok("ps", "--filter", "health=none", "--format", "{{.Names}}").out().strip());
        assertFalse(ok("ps", "--filter", "name=plain", "--format", "{{.Status}}").out().contains("("));
    }

    @Test
    @Order(6)
    void updateChangesTheRestartPolicyForTheNextExit() throws Exception {
        ok("run", "-d", "--name", "upd", "busybox", "sh", "-c",
                "rm -f /tmp/exit; while [ ! -f /tmp/exit ]; do sleep 0.2; done");
        assertEquals("", ok("update", "--restart", "always", "upd").err());
        assertEquals("always", inspect("{{.HostConfig.RestartPolicy.Name}}", "upd"));
        Instant since = Instant.now();
        // detached: the container ends the moment the file appears, which may kill the exec's own process
        // (it dies with the container's init) before its exit is recorded, as with dockerd; the restart is the event
        ok("exec", "-d", "upd", "touch", "/tmp/exit");
        awaitEvent("upd", "start", since);
        assertEquals("1", inspect("{{.RestartCount}}", "upd"), "restarted by the policy set by docker update");

        refused("Skiff sets resource limits at create only (Memory)", "update", "--memory", "64m", "upd");

        ok("run", "-d", "--rm", "--name", "temp", "busybox", "sleep", "600");
        refused("Restart policy cannot be updated because AutoRemove is enabled for the container", "update",
                "--restart", "always", "temp");
        refused("No such container: nosuch", "update", "--restart", "always", "nosuch");
        ok("rm", "-f", "doc", "slow", "plain", "upd", "temp");
    }
}
