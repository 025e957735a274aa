package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two docker commands on one container at the same moment, each pair many times (issue 19, point
 * 3): whatever order the daemon sees them in, the outcome is one dockerd gives. Each round starts
 * both CLIs together behind a latch; a hang fails through DaemonProcess's 5-minute limit.
 * {@code -Dskiff.race.rounds=N} runs more rounds (default 4 per pair).
 */
class DockerRaceIT extends DaemonIT {
    private static final int ROUNDS = Integer.getInteger("skiff.race.rounds", 4);
    /** What a command that lost the race may say (dockerd's words). */
    private static final Pattern LOST = Pattern.compile(
            "No such container|is not running|is being removed|marked for removal|OCI runtime exec failed");
    /** What no answer may contain: a Java class name or a stack trace. */
    private static final Pattern LEAK = Pattern.compile("\\b(java|dev\\.skiff)\\.[a-z]+\\.|Exception|\\tat ");

    private record Pair(DaemonProcess.Result first, DaemonProcess.Result second) {}

    /** Runs both commands at once, and both results. */
    private static Pair together(List<String> a, List<String> b) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch go = new CountDownLatch(1);
            Callable<DaemonProcess.Result> one = () -> {
                go.await();
                return daemon.docker(a, null);
            };
            Callable<DaemonProcess.Result> two = () -> {
                go.await();
                return daemon.docker(b, null);
            };
            Future<DaemonProcess.Result> fa = pool.submit(one);
            Future<DaemonProcess.Result> fb = pool.submit(two);
            go.countDown();
            Pair p = new Pair(fa.get(), fb.get());
            for (DaemonProcess.Result r : List.of(p.first(), p.second())) {
                assertTrue(!LEAK.matcher(r.out() + r.err()).find(), "an answer names Java internals: " + r);
            }
            return p;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Either it worked, or it lost the race and says so in dockerd's words. */
    private static void workedOrLost(DaemonProcess.Result r, String what) {
        // the CLI prints an exec's refusal on stdout (it comes in the attached stream), others on stderr
        assertTrue(r.code() == 0 || LOST.matcher(r.out() + r.err()).find(), what + ": neither done nor a clear refusal: " + r
                + "\ndaemon log:\n" + daemon.logTail());
    }

    private static boolean exists(String name) throws Exception {
        return !ok("ps", "-aq", "--filter", "name=^" + name + "$").out().isBlank();
    }

    @Test
    void twoStartsRunOneProcess() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            String name = "race-ss-" + i;
            ok("create", "--name", name, "busybox", "sleep", "1d");
            Pair p = together(List.of("start", name), List.of("start", name));
            // dockerd: the second start of a running container is a no-op (304), and the CLI says the name
            assertEquals(0, p.first().code(), p.toString());
            assertEquals(0, p.second().code(), p.toString());
            assertEquals("running", ok("inspect", "-f", "{{.State.Status}}", name).out().trim());
            String top = ok("top", name).out();
            assertEquals(1, top.lines().filter(l -> l.contains("sleep 1d")).count(), "one process only:\n" + top);
            ok("rm", "-f", name);
        }
    }

    @Test
    void aStartAndAForcedRemoveLeaveNothing() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            String name = "race-sr-" + i;
            ok("create", "--name", name, "busybox", "sleep", "1d");
            Pair p = together(List.of("start", name), List.of("rm", "-f", name));
            workedOrLost(p.first(), "start");
            assertEquals(0, p.second().code(), "rm -f of an existing container: " + p);
            assertTrue(!exists(name), name + " is still listed after rm -f: " + p);
        }
        ok("run", "--rm", "busybox", "true"); // the VM those starts used still serves
    }

    @Test
    void aStopAndAnExecEndStopped() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            String name = "race-se-" + i;
            ok("run", "-d", "--name", name, "busybox", "sleep", "1d");
            Pair p = together(List.of("stop", "-t", "1", name), List.of("exec", name, "true"));
            assertEquals(0, p.first().code(), "stop: " + p);
            workedOrLost(p.second(), "exec");
            assertEquals("exited", ok("inspect", "-f", "{{.State.Status}}", name).out().trim());
            ok("rm", name);
        }
    }

    @Test
    void aForcedRemoveAndAnExecLeaveNothing() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            String name = "race-re-" + i;
            ok("run", "-d", "--name", name, "busybox", "sleep", "1d");
            Pair p = together(List.of("rm", "-f", name), List.of("exec", name, "sleep", "5"));
            assertEquals(0, p.first().code(), "rm -f: " + p);
            // the exec either lost (refused) or ran until the removal killed it (137, as under dockerd)
            DaemonProcess.Result exec = p.second();
            assertTrue(exec.code() == 137 || LOST.matcher(exec.out() + exec.err()).find(), "exec: " + p + "\ndaemon log:\n"
                    + daemon.logTail());
            assertTrue(!exists(name), name + " is still listed after rm -f: " + p);
        }
    }

    @Test
    void aWaitSeesTheForcedRemove() throws Exception {
        for (int i = 0; i < ROUNDS; i++) {
            String name = "race-wr-" + i;
            ok("run", "-d", "--name", name, "busybox", "sleep", "1d");
            Pair p = together(List.of("wait", name), List.of("rm", "-f", name));
            assertEquals(0, p.second().code(), "rm -f: " + p);
            // the wait began before the removal: the exit code of the kill; after it: no such container
            DaemonProcess.Result wait = p.first();
            assertTrue((wait.code() == 0 && wait.out().trim().equals("137")) || wait.err().contains("No such container"),
                    "wait: " + p);
        }
    }
}
