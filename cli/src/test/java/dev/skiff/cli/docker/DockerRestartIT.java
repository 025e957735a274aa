package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Restart policies through the real docker CLI against a real `skiff daemon`: on-failure with a
 * limit, always until a user stops it, and what a daemon restart brings back (always, even after a
 * stop; unless-stopped only if nobody stopped it).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerRestartIT extends DaemonIT {
    private static final Duration SETTLE = Duration.ofMinutes(4);

    private static String state(String name) throws Exception {
        return ok("inspect", "-f", "{{.RestartCount}} {{.State.Status}}", name).out().trim();
    }

    /** Waits for the container's state, which its policy changes on its own: each inspect is one observation. */
    private static void awaitState(String name, String expected) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        String last = state(name);
        while (!last.equals(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + ": expected \"" + expected + "\", still \"" + last + "\" after "
                        + SETTLE.toMinutes() + " min; daemon log:\n" + daemon.logTail());
            }
            ok("wait", name); // returns at its next exit (or at once if exited): the event to wait on
            last = state(name);
        }
    }

    @Test
    @Order(1)
    void onFailureRestartsUpToItsLimitThenStays() throws Exception {
        long since = java.time.Instant.now().getEpochSecond() - 1;
        ok("run", "-d", "--name", "fail", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 3");
        awaitState("fail", "2 exited");
        String actions = ok("events", "--since", Long.toString(since), "--until",
                Long.toString(java.time.Instant.now().getEpochSecond() + 1), "--filter", "container=fail",
                "--format", "{{.Action}}").out();
        assertEquals("create start die start die start die", actions.strip().replace('\n', ' '),
                "docker events tells each start and exit");
        assertEquals("on-failure 2\n", ok("inspect", "-f",
                "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}", "fail").out());
        assertEquals("3\n", ok("inspect", "-f", "{{.State.ExitCode}}", "fail").out());
        assertEquals("", ok("ps", "-q", "--filter", "name=fail").out());
    }

    @Test
    @Order(2)
    void alwaysRestartsUntilAUserStopsIt() throws Exception {
        ok("run", "-d", "--name", "loop", "--restart", "always", "busybox", "sh", "-c", "sleep 1");
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (Integer.parseInt(state("loop").split(" ")[0]) < 2) {
            assertTrue(System.nanoTime() < deadline, "always did not restart twice: " + daemon.logTail());
            ok("wait", "loop"); // its next exit (while it is "restarting", the restarted run's)
        }
        ok("stop", "loop"); // running or between two runs ("restarting"): either way it stays stopped
        assertEquals("exited", state("loop").split(" ")[1]);
        ok("start", "loop"); // a manual start clears the stop; the policy applies again, counted from 0
        int afterStart = Integer.parseInt(state("loop").split(" ")[0]);
        assertEquals(0, afterStart, "a user's start sets RestartCount back to 0, as dockerd 20.10 does (checked)");
        ok("stop", "-t", "0", "loop");
        assertEquals(afterStart + " exited", state("loop"), "a user's stop is not restarted");
    }

    @Test
    @Order(3)
    void aDaemonRestartBringsBackAlwaysButNotAStoppedUnlessStopped() throws Exception {
        ok("run", "-d", "--name", "back", "--restart", "always", "busybox", "sleep", "600");
        ok("run", "-d", "--name", "stays", "--restart", "unless-stopped", "busybox", "sleep", "600");
        ok("stop", "-t", "0", "back", "stays");
        daemon.stop();
        daemon.start();
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!ok("inspect", "-f", "{{.State.Status}}", "back").out().trim().equals("running")) {
            assertTrue(System.nanoTime() < deadline, "always did not come back: " + daemon.logTail());
            Thread.sleep(200); // the restart runs on its own after the daemon starts; its state is the event
        }
        assertEquals("exited\n", ok("inspect", "-f", "{{.State.Status}}", "stays").out());
        ok("rm", "-f", "back", "stays", "loop", "fail");
    }
}
