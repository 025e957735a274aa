package dev.skiff.guest.process;

import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.sys.Fds;
import dev.skiff.sys.Pipes;
import dev.skiff.sys.Processes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reaper against real children and orphans. This JVM is a child subreaper once the reaper
 * starts, so orphans reach it as they reach PID 1 in the guest; surefire runs this class in a
 * JVM of its own (guest/pom.xml).
 */
class ReaperTest {
    private static final List<String> ENV = List.of("PATH=/usr/bin:/bin");
    private static final int[] NULL_STDIO = {-1, -1, -1};

    private static Processes.ExitStatus exit(CompletableFuture<Processes.ExitStatus> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static Reaper.Child sh(String script) throws IOException {
        return Reaper.shared().spawn("/bin/sh", List.of("sh", "-c", script), ENV, null, NULL_STDIO, false);
    }

    /** Runs {@code script} with stdout to a pipe; returns the child and the pipe's read end. */
    private static Object[] shWithStdout(String script) throws IOException {
        int[] p = Pipes.pipe2(Pipes.O_CLOEXEC);
        try {
            Reaper.Child c = Reaper.shared().spawn("/bin/sh", List.of("sh", "-c", script), ENV, null,
                    new int[] {-1, p[1], -1}, false);
            return new Object[] {c, new FdInputStream(p[0])};
        } finally {
            Fds.close(p[1]);
        }
    }

    private static String firstLine(FdInputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** Waits until {@code pid} is reaped (a zombie still has its /proc entry). */
    private static void awaitReaped(int pid) throws InterruptedException {
        for (int i = 0; i < 2000 && Files.exists(Path.of("/proc/" + pid)); i++) {
            Thread.sleep(5);
        }
        assertFalse(Files.exists(Path.of("/proc/" + pid)), "process " + pid + " not reaped");
    }

    @Test
    void exitCodesAndSignalDeathsReachTheirChild() throws Exception {
        Reaper.Child c = sh("exit 5");
        Processes.ExitStatus st = exit(c.exit());
        assertEquals(c.pid(), st.pid());
        assertTrue(st.exited());
        assertEquals(5, st.exitCode());

        Reaper.Child sleeper = Reaper.shared().spawn("/bin/sleep", List.of("sleep", "60"), ENV, null, NULL_STDIO, false);
        assertFalse(sleeper.exit().isDone());
        assertSame(sleeper.exit(), Reaper.shared().adopt(sleeper.pid()), "adopting a registered pid");
        assertTrue(Reaper.shared().kill(sleeper.pid(), Processes.SIGKILL));
        st = exit(sleeper.exit());
        assertTrue(st.signaled());
        assertEquals(137, st.shellCode());
        assertFalse(Reaper.shared().kill(sleeper.pid(), Processes.SIGKILL), "reaped: its pid is not ours to signal");

        Thread reaper = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("reaper")).findFirst().orElseThrow();
        assertTrue(reaper.isDaemon());
        assertFalse(reaper.isVirtual());
    }

    @Test
    void fiftyConcurrentChildrenEachGetTheirOwnStatus() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(50)) {
            List<Future<int[]>> results = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int code = i;
                results.add(pool.submit(() -> {
                    Reaper.Child c = sh("sleep 0.0" + (code % 10) + "; exit " + code);
                    Processes.ExitStatus st = exit(c.exit());
                    return new int[] {code, c.pid(), st.pid(), st.exitCode()};
                }));
            }
            for (Future<int[]> f : results) {
                int[] r = f.get(60, TimeUnit.SECONDS);
                assertEquals(r[1], r[2], "the status of its own pid");
                assertEquals(r[0], r[3], "its own exit code");
            }
        }
    }

    @Test
    void anOrphanIsReapedAndCanBeAdoptedWhileItRuns() throws Exception {
        Object[] r = shWithStdout("/bin/sleep 0.3 & echo $!");
        Reaper.Child parent = (Reaper.Child) r[0];
        try (FdInputStream out = (FdInputStream) r[1]) {
            int orphan = Integer.parseInt(firstLine(out));
            assertEquals(0, exit(parent.exit()).shellCode());
            CompletableFuture<Processes.ExitStatus> adopted = Reaper.shared().adopt(orphan);
            Processes.ExitStatus st = exit(adopted);
            assertEquals(orphan, st.pid());
            assertTrue(st.exited());
            assertEquals(0, st.exitCode());
            assertEquals(-1, out.read(), "the orphan held our pipe until it exited");
        }
    }

    @Test
    void anOrphanReapedBeforeItsAdoptionIsStillFound() throws Exception {
        // The orphan outlives its parent shell, so that our reaper (the subreaper) is the one that
        // reaps it: exiting earlier, it would be reaped by that shell, and its status never be ours.
        // ($$ is passed in: the child's own $PPID may already be its new parent when it starts.)
        Object[] r = shWithStdout("/bin/sh -c 'while kill -0 $1 2>/dev/null; do sleep 0.01; done; exit 4' sh $$ & echo $!");
        Reaper.Child parent = (Reaper.Child) r[0];
        int orphan;
        try (FdInputStream out = (FdInputStream) r[1]) {
            orphan = Integer.parseInt(firstLine(out));
            assertEquals(-1, out.read());
        }
        assertEquals(0, exit(parent.exit()).shellCode());
        awaitReaped(orphan);
        CompletableFuture<Processes.ExitStatus> adopted = Reaper.shared().adopt(orphan);
        assertTrue(adopted.isDone(), "completed at once");
        assertEquals(4, adopted.get().exitCode());
        assertEquals(orphan, adopted.get().pid());
    }

    @Test
    void aReaperWithNoChildrenWakesForTheNextSpawn() throws Exception {
        exit(sh("exit 0").exit());
        // With no child left the reaper must park on its condition (WAITING), not poll.
        Thread reaper = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("reaper")).findFirst().orElseThrow();
        for (int i = 0; i < 200 && reaper.getState() != Thread.State.WAITING; i++) {
            Thread.sleep(10);
        }
        assertEquals(Thread.State.WAITING, reaper.getState(), "parked, not polling");
        assertEquals(9, exit(sh("exit 9").exit()).exitCode());
    }
}
