package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 19's killed daemon at scale: 20 containers in the shared VM, each with a bind mount, a
 * counter on stdout and an exec session, live through {@code kill -9} of the daemon and a new one.
 * Afterwards each is listed, its bind mount is read and written both ways, its exec session still
 * runs and a new exec works, and its log holds every number it printed exactly once: output made
 * while no daemon ran is neither lost nor written twice.
 */
class DaemonKillIT extends DaemonIT {
    private static final int CONTAINERS = 20;
    /** Numbers the counter must print after the restart before its log is checked: about 3 s of output. */
    private static final int PAST_THE_RESTART = 30;
    /**
     * A numbered line every 100 ms, forever; /d/up says it runs. It waits with the shell's own read
     * timeout on a FIFO nobody writes, not with sleep: busybox's sleep is a fork and an exec, and 20
     * containers forking 10 times a second kept the emulated VM so busy that every docker call of
     * the test took seconds.
     */
    private static final String COUNTER = "echo up > /d/up; mkfifo /tmp/tick; exec 3<>/tmp/tick; i=0;"
            + " while :; do echo \"$i\"; i=$((i+1)); read -t 0.1 -u 3 x; done";
    /** The exec session open across the kill: a process of its own in the container, writing twice a second. */
    private static final String EXEC_SESSION = "mkfifo /tmp/tock; exec 3<>/tmp/tock; i=0;"
            + " while :; do i=$((i+1)); echo \"$i\" > /d/exec-alive; read -t 0.5 -u 3 x; done";

    /** The log's lines as numbers; fails on a line that is not one. */
    private static List<Long> numbers(String name, String log) {
        List<Long> numbers = new ArrayList<>();
        for (String line : log.lines().toList()) {
            assertTrue(line.matches("[0-9]+"), name + "'s log has a line that is no number: '" + line + "'");
            numbers.add(Long.parseLong(line));
        }
        return numbers;
    }

    private static long highest(String name, String log) {
        return numbers(name, log).stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    @Test
    void twentyContainersWithBindMountsAndExecSessionsOutliveAKilledDaemonWithEveryLogLineOnce() throws Exception {
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (int i = 0; i < CONTAINERS; i++) {
            String name = "k" + i;
            Path dir = Files.createDirectories(base.resolve("kill-" + i));
            dirs.put(name, dir);
            ok("run", "-d", "--name", name, "-v", dir + ":/d", "busybox", "sh", "-c", COUNTER);
        }
        for (var c : dirs.entrySet()) {
            daemon.awaitContent(c.getValue().resolve("up"), "up\n");
            ok("exec", "-d", c.getKey(), "sh", "-c", EXEC_SESSION);
        }
        for (Path dir : dirs.values()) {
            daemon.awaitFile(dir.resolve("exec-alive"), s -> !s.isBlank(), "the exec session's first write");
        }
        Map<String, Long> beforeKill = new LinkedHashMap<>();
        for (String name : dirs.keySet()) {
            beforeKill.put(name, highest(name, ok("logs", name).out()));
        }

        daemon.kill();
        daemon.start();

        List<String> ps = ok("ps", "--format", "{{.Names}} {{.State}}").out().lines().sorted().toList();
        List<String> expected = dirs.keySet().stream().map(n -> n + " running").sorted().toList();
        assertEquals(expected, ps, "every container is listed, running");
        for (var c : dirs.entrySet()) {
            String name = c.getKey();
            Path dir = c.getValue();
            // one new exec reads and writes the bind mount: under TCG, with 20 busy containers, each costs seconds
            Files.writeString(dir.resolve("from-host"), "host " + name);
            // a new exec reads the bind mount after the restart (at once: nothing hides the host's new file)
            assertEquals("host " + name, ok("exec", name, "sh", "-c", "cat /d/from-host && echo " + name
                    + " > /d/from-container").out());
            assertEquals(name + "\n", Files.readString(dir.resolve("from-container")), name + ": written after the restart");
            String alive = Files.readString(dir.resolve("exec-alive"));
            daemon.awaitFile(dir.resolve("exec-alive"), s -> !s.isBlank() && !s.equals(alive),
                    "a newer write than '" + alive.strip() + "' by the exec session started before the kill");
        }
        for (var c : beforeKill.entrySet()) {
            String name = c.getKey();
            long past = c.getValue() + PAST_THE_RESTART;
            String log = daemon.awaitLogs(name, out -> highest(name, out) >= past, "a number of at least " + past);
            List<Long> numbers = numbers(name, log);
            for (int i = 0; i < numbers.size(); i++) {
                if (numbers.get(i) != i) {
                    int from = Math.max(0, i - 3);
                    throw new AssertionError(name + "'s log line " + i + " is " + numbers.get(i) + " (lost or twice; "
                            + c.getValue() + " was the highest before the kill); lines " + from + "..: "
                            + numbers.subList(from, Math.min(numbers.size(), i + 4)) + "\ndaemon log:\n" + daemon.logTail());
                }
            }
        }
        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
        rm.addAll(dirs.keySet());
        ok(rm.toArray(String[]::new));
        assertEquals("", ok("ps", "-aq").out());
    }
}
