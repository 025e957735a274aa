package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** posix_spawn, waitpid, waitid, kill and the subreaper against the real kernel and glibc. */
class ProcessesTest {
    private static final List<String> ENV = List.of("PATH=/usr/bin:/bin");

    /** Spawns with stdin /dev/null and stdout (and stderr, if {@code err} is null) to one pipe. */
    private record Run(int pid, String out, String err) {}

    private static Run run(List<String> argv, List<String> env, String cwd, boolean newSession, boolean splitErr)
            throws Exception {
        int[] out = Pipes.pipe2(Pipes.O_CLOEXEC);
        int[] err = splitErr ? Pipes.pipe2(Pipes.O_CLOEXEC) : out;
        int pid;
        try {
            pid = Processes.spawn(argv.get(0), argv, env, cwd, new int[] {-1, out[1], err[1]}, newSession);
        } finally {
            Fds.close(out[1]);
            if (splitErr) {
                Fds.close(err[1]);
            }
        }
        String o = TestFds.readAllAndClose(out[0]);
        return new Run(pid, o, splitErr ? TestFds.readAllAndClose(err[0]) : o);
    }

    @Test
    void stdoutStderrAndExitCodeArriveExactly() throws Exception {
        Run r = run(List.of("/bin/sh", "-c", "echo out; echo err >&2; exit 3"), ENV, null, false, true);
        assertEquals("out\n", r.out());
        assertEquals("err\n", r.err());
        Processes.ExitStatus st = Processes.waitpid(r.pid(), 0);
        assertEquals(r.pid(), st.pid());
        assertTrue(st.exited());
        assertFalse(st.signaled());
        assertEquals(3, st.exitCode());
        assertEquals(3, st.shellCode());
    }

    @Test
    void aSignalDeathIsReportedAsSuch() throws Exception {
        int pid = Processes.spawn("/bin/sleep", List.of("sleep", "60"), ENV, null, new int[] {-1, -1, -1}, false);
        assertNull(Processes.waitpid(pid, Processes.WNOHANG), "still sleeping");
        Processes.kill(pid, Processes.SIGKILL);
        Processes.ExitStatus st = Processes.waitpid(pid, 0);
        assertTrue(st.signaled());
        assertFalse(st.exited());
        assertEquals(Processes.SIGKILL, st.signal());
        assertEquals(137, st.shellCode());

        // SIGTERM has its default action in the child although the JVM handles it.
        Run r = run(List.of("/bin/sh", "-c", "kill -TERM $$; echo survived"), ENV, null, false, false);
        st = Processes.waitpid(r.pid(), 0);
        assertEquals(Processes.SIGTERM, st.signal(), r.out());
        assertEquals(143, st.shellCode());
        assertEquals("", r.out());
    }

    @Test
    void theChildStartsWithNoSignalBlockedOrIgnored() throws Exception {
        Run r = run(List.of("/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status"), ENV, null, false, false);
        assertEquals(0, Processes.waitpid(r.pid(), 0).shellCode());
        assertEquals("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n", r.out());
    }

    @Test
    void cwdAndEnvironmentAreExactlyTheGivenOnes(@TempDir Path dir) throws Exception {
        Path real = dir.toRealPath();
        Run r = run(List.of("/bin/pwd"), ENV, real.toString(), false, false);
        assertEquals(0, Processes.waitpid(r.pid(), 0).shellCode());
        assertEquals(real + "\n", r.out());

        r = run(List.of("/usr/bin/env"), List.of("A=1", "B=two words"), null, false, false);
        assertEquals(0, Processes.waitpid(r.pid(), 0).shellCode());
        assertEquals("A=1\nB=two words\n", r.out());

        ErrnoException e = assertThrows(ErrnoException.class,
                () -> run(List.of("/bin/pwd"), ENV, real.resolve("missing").toString(), false, false));
        assertEquals(Errno.ENOENT, e.errno());
    }

    @Test
    void noDescriptorBeyondStdioIsInherited() throws Exception {
        int[] leaky = Pipes.pipe2(0); // not even close-on-exec
        try {
            Run r = run(List.of("/bin/ls", "/proc/self/fd"), ENV, null, false, false);
            assertEquals(0, Processes.waitpid(r.pid(), 0).shellCode());
            assertEquals("0\n1\n2\n3\n", r.out(), "stdio, and the directory ls reads");
        } finally {
            TestFds.closeQuietly(leaky);
        }
    }

    @Test
    void sourcesBelowTheStdioCountAreNeitherClobberedNorLeftCloseOnExec() throws Exception {
        int[] a = Pipes.pipe2(Pipes.O_CLOEXEC);
        int[] b = Pipes.pipe2(Pipes.O_CLOEXEC);
        int n = Math.max(a[1], b[1]) + 1;
        int[] stdio = new int[n];
        Arrays.fill(stdio, -1);
        stdio[a[1]] = b[1]; // swapped: a naive dup2 order would give both the same pipe
        stdio[b[1]] = a[1];
        int[] c = Pipes.pipe2(Pipes.O_CLOEXEC);
        int[] stdio2 = new int[c[1] + 1];
        Arrays.fill(stdio2, -1);
        stdio2[c[1]] = c[1]; // the same number: only the close-on-exec flag must go
        int pid;
        int pid2;
        try {
            pid = Processes.spawn("/bin/sh", List.of("sh", "-c",
                    "echo to-a-slot > /proc/self/fd/" + a[1] + "; echo to-b-slot > /proc/self/fd/" + b[1]),
                    ENV, null, stdio, false);
            pid2 = Processes.spawn("/bin/sh", List.of("sh", "-c", "echo same > /proc/self/fd/" + c[1]),
                    ENV, null, stdio2, false);
        } finally {
            TestFds.closeQuietly(a[1], b[1], c[1]);
        }
        assertEquals("to-b-slot\n", TestFds.readAllAndClose(a[0]));
        assertEquals("to-a-slot\n", TestFds.readAllAndClose(b[0]));
        assertEquals("same\n", TestFds.readAllAndClose(c[0]));
        assertEquals(0, Processes.waitpid(pid, 0).shellCode());
        assertEquals(0, Processes.waitpid(pid2, 0).shellCode());
    }

    @Test
    void aNewSessionMakesTheChildItsLeader() throws Exception {
        String script = "echo $$; cut -d' ' -f6 /proc/$$/stat";
        Run r = run(List.of("/bin/sh", "-c", script), ENV, null, true, false);
        assertEquals(0, Processes.waitpid(r.pid(), 0).shellCode());
        String[] lines = r.out().split("\n");
        assertEquals(lines[0], lines[1], "sid == pid");
        r = run(List.of("/bin/sh", "-c", script), ENV, null, false, false);
        assertEquals(0, Processes.waitpid(r.pid(), 0).shellCode());
        lines = r.out().split("\n");
        assertNotEquals(lines[0], lines[1], "our session");
    }

    @Test
    void errorsNameTheCallAndThePath() throws Exception {
        ErrnoException e = assertThrows(ErrnoException.class,
                () -> Processes.spawn("/nonexistent/x", List.of("x"), ENV, null, new int[0], false));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("posix_spawn", e.call());
        assertTrue(e.getMessage().contains("/nonexistent/x"), e.getMessage());

        e = assertThrows(ErrnoException.class, () -> Processes.waitpid(1, 0));
        assertEquals(Processes.ECHILD, e.errno(), "pid 1 is not our child");
        assertThrows(IllegalArgumentException.class, () -> Processes.kill(0, Processes.SIGKILL));
        assertEquals(Errno.ESRCH, assertThrows(ErrnoException.class,
                () -> Processes.kill(Integer.MAX_VALUE, 0)).errno());
    }

    @Test
    void awaitZombieLeavesTheChildForWaitpid() throws Exception {
        int pid = Processes.spawn("/bin/sh", List.of("sh", "-c", "exit 7"), ENV, null, new int[0], false);
        assertEquals(pid, Processes.awaitZombie());
        assertEquals(pid, Processes.awaitZombie(), "not reaped: seen again");
        assertEquals(7, Processes.waitpid(pid, 0).exitCode());
        assertEquals(Processes.ECHILD, assertThrows(ErrnoException.class, Processes::awaitZombie).errno());
    }

    @Test
    void asSubreaperWeCanWaitForAnOrphan() throws Exception {
        Processes.setChildSubreaper();
        Run r = run(List.of("/bin/sh", "-c", "/bin/sleep 0.3 & echo $!"), ENV, null, false, false);
        assertEquals(0, Processes.waitpid(r.pid(), 0).shellCode());
        int orphan = Integer.parseInt(r.out().strip());
        Processes.ExitStatus st = Processes.waitpid(orphan, 0);
        assertEquals(orphan, st.pid());
        assertEquals(0, st.shellCode());
    }

    @Test
    void manyChildrenEachGetTheirOwnStatus() throws Exception {
        List<Integer> pids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pids.add(Processes.spawn("/bin/sh", List.of("sh", "-c", "exit " + i), ENV, null, new int[0], false));
        }
        List<Integer> codes = new ArrayList<>();
        for (int pid : pids) {
            codes.add(Processes.waitpid(pid, 0).exitCode());
        }
        assertEquals(java.util.stream.IntStream.range(0, 20).boxed().collect(Collectors.toList()), codes);
    }
}
