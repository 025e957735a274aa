package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * docker top, stats, pause and unpause through the real docker CLI against a real `skiff daemon`:
 * top listing a container's sleep by its command; stats of a busy loop (CPU time growing, memory
 * and pids counted, eth0's counters) through the CLI and as the API's raw JSON, and a stopped
 * container's zeros; pause freezing a loop that counts into a bind-mounted file and unpause
 * letting it go on, in the shared VM and with --isolation=hyperv, with Docker's errors, docker ps
 * and its status filter, events and exec refused; stop and rm -f of a paused container; and a
 * paused container staying paused across a SIGKILL of the daemon.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerProcessIT extends DaemonIT {
    private static final Duration SETTLE = Duration.ofMinutes(3);
    /**
     * How long a paused container is watched for not counting. Not a synchronisation: the pause is
     * done when docker pause returns (runc waits for the cgroup to report frozen); this is only how
     * long "no progress" is observed, and a loop that ran would count many times in it.
     */
    private static final Duration FROZEN_WINDOW = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String[] run(String mode, String... tail) {
        List<String> all = new ArrayList<>(List.of("run", "-d"));
        if (mode.equals("hyperv")) {
            all.add("--isolation=hyperv");
        }
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    /** GET on the daemon's socket, as any API client does; the reply's body as JSON. */
    private static JsonNode api(String target) throws Exception {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(daemon.socket));
            ch.write(ByteBuffer.wrap(("GET " + target + " HTTP/1.1\r\nHost: skiff\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(65536);
            while (ch.read(buf) >= 0) {
                all.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            String reply = all.toString(StandardCharsets.UTF_8);
            assertTrue(reply.startsWith("HTTP/1.1 200"), reply);
            return JSON.readTree(reply.substring(reply.indexOf("\r\n\r\n") + 4));
        }
    }

    private static String id(String name) throws Exception {
        return ok("inspect", "-f", "{{.Id}}", name).out().trim();
    }

    /** The counter the container's loop writes ("" while a write is between truncate and write). */
    private static long count(Path file) throws Exception {
        String text = Files.exists(file) ? Files.readString(file).trim() : "";
        return text.isEmpty() ? 0 : Long.parseLong(text);
    }

    /** Waits until the loop has counted past {@code above}: each read of the file is one observation. */
    private static long awaitCountAbove(Path file, long above) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        long n;
        while ((n = count(file)) <= above) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the loop did not count past " + above + " in " + SETTLE.toMinutes()
                        + " min; daemon log:\n" + daemon.logTail());
            }
            Thread.sleep(100); // the file changing is the event; nothing else announces it
        }
        return n;
    }

    /** A container counting as fast as it can into counter/n, a file in a bind-mounted host folder. */
    private static Path counting(String mode, String name) throws Exception {
        Path dir = Files.createDirectories(base.resolve("count-" + name));
        ok(run(mode, "--name", name, "-v", dir + ":/out", "busybox", "sh", "-c",
                "i=0; while :; do i=$((i+1)); echo $i > /out/n; done"));
        awaitCountAbove(dir.resolve("n"), 0);
        return dir.resolve("n");
    }

    @Test
    @Order(1)
    void topListsTheContainersSleepByItsCommand() throws Exception {
        ok("run", "-d", "--name", "top1", "busybox", "sleep", "600");
        String top = ok("top", "top1").out();
        List<String> lines = top.lines().toList();
        assertTrue(lines.getFirst().matches("UID\\s+PID\\s+PPID\\s+C\\s+STIME\\s+TTY\\s+TIME\\s+CMD"), top);
        String sleep = lines.stream().filter(l -> l.endsWith("sleep 600")).findFirst()
                .orElseThrow(() -> new AssertionError("no sleep 600 in\n" + top));
        assertTrue(sleep.startsWith("root "), sleep);
        ok("exec", "-d", "top1", "sleep", "500");
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (!ok("top", "top1", "-ef").out().contains("sleep 500")) {
            assertTrue(System.nanoTime() < deadline, "an exec's process never showed in top");
            Thread.sleep(200); // the exec's start is the event; top is how it is observed
        }
        DaemonProcess.Result aux = docker("top", "top1", "aux");
        assertNotEquals(0, aux.code());
        assertTrue(aux.err().contains("ps -ef"), aux.err());
        ok("stop", "-t", "0", "top1");
        DaemonProcess.Result stopped = docker("top", "top1");
        assertNotEquals(0, stopped.code());
        assertTrue(stopped.err().contains("Container " + id("top1") + " is not running"), stopped.err());
        ok("rm", "top1");
    }

    /** Stats, then pause and unpause, of a busy loop: once in the shared VM, once in a VM of its own. */
    private static void statsAndPause(String mode) throws Exception {
        String name = "spin-" + mode;
        Path counter = counting(mode, name);
        String id = id(name);

        JsonNode first = api("/containers/" + name + "/stats?stream=false&one-shot=true");
        assertEquals("/" + name, first.get("name").asText());
        assertEquals(id, first.get("id").asText());
        assertTrue(first.get("memory_stats").get("usage").asLong() > 0, first.toString());
        assertTrue(first.get("memory_stats").get("limit").asLong() > 0, first.toString());
        assertTrue(first.get("pids_stats").get("current").asLong() >= 1, first.toString());
        assertTrue(first.get("cpu_stats").get("online_cpus").asInt() >= 1, first.toString());
        assertTrue(first.get("cpu_stats").get("system_cpu_usage").asLong() > 0, first.toString());
        assertTrue(first.get("networks").has("eth0"), first.toString());
        long firstCpu = first.get("cpu_stats").get("cpu_usage").get("total_usage").asLong();
        assertTrue(firstCpu > 0, first.toString());
        JsonNode second = api("/containers/" + name + "/stats?stream=false");
        assertTrue(second.get("cpu_stats").get("cpu_usage").get("total_usage").asLong()
                > second.get("precpu_stats").get("cpu_usage").get("total_usage").asLong(), second.toString());
        assertTrue(second.get("cpu_stats").get("cpu_usage").get("total_usage").asLong() > firstCpu,
                "the loop's CPU time grows");
        JsonNode cli = JSON.readTree(ok("stats", "--no-stream", "--format", "{{json .}}", name).out());
        assertEquals(name, cli.get("Name").asText());
        assertTrue(Integer.parseInt(cli.get("PIDs").asText()) >= 1, cli.toString());
        assertFalse(cli.get("MemUsage").asText().startsWith("0B"), cli.toString());

        long since = Instant.now().getEpochSecond() - 1;
        ok("pause", name);
        assertEquals("paused true\n", ok("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", name).out());
        long frozen = count(counter);
        long until = System.nanoTime() + FROZEN_WINDOW.toNanos();
        while (System.nanoTime() < until) {
            assertEquals(frozen, count(counter), "a paused container's loop does not count");
            Thread.sleep(100);
        }
        assertTrue(ok("ps", "--filter", "status=paused", "--format", "{{.Names}} {{.Status}}").out()
                .matches("(?s).*" + name + " Up .* \\(Paused\\).*"));
        assertFalse(ok("ps", "--filter", "status=running", "--format", "{{.Names}}").out().contains(name));
        DaemonProcess.Result exec = docker("exec", name, "true");
        assertNotEquals(0, exec.code());
        assertTrue(exec.err().contains("Container " + id + " is paused, unpause the container before exec"), exec.err());
        DaemonProcess.Result again = docker("pause", name);
        assertTrue(again.err().contains("Container " + id + " is already paused"), again.err());
        assertTrue(api("/containers/" + name + "/stats?stream=false&one-shot=true").get("memory_stats").get("usage")
                .asLong() > 0, "a paused container still has stats");

        ok("unpause", name);
        awaitCountAbove(counter, frozen);
        assertEquals("running false\n", ok("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", name).out());
        DaemonProcess.Result notPaused = docker("unpause", name);
        assertTrue(notPaused.err().contains("Container " + id + " is not paused"), notPaused.err());
        String actions = ok("events", "--since", Long.toString(since), "--until",
                Long.toString(Instant.now().getEpochSecond() + 1), "--filter", "container=" + name,
                "--format", "{{.Action}}").out();
        assertEquals("pause unpause", actions.strip().replace('\n', ' '));

        ok("pause", name);
        ok("stop", "-t", "1", name); // SIGTERM then unpause, as dockerd; sh as PID 1 ignores it: SIGKILL after 1 s
        assertEquals("exited false\n", ok("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", name).out());
        JsonNode zeros = api("/containers/" + name + "/stats?stream=false");
        assertEquals("0001-01-01T00:00:00Z", zeros.get("read").asText());
        assertEquals(0, zeros.get("cpu_stats").get("cpu_usage").get("total_usage").asLong());
        assertTrue(ok("stats", "--no-stream", "--format", "{{.MemUsage}}", name).out().startsWith("0B / 0B"));
        DaemonProcess.Result pauseStopped = docker("pause", name);
        assertTrue(pauseStopped.err().contains("Container " + id + " is not running"), pauseStopped.err());
        ok("rm", name);
    }

    @Test
    @Order(2)
    void statsAndPauseInTheSharedVm() throws Exception {
        statsAndPause("shared");
    }

    @Test
    @Order(3)
    void statsAndPauseInADedicatedVm() throws Exception {
        statsAndPause("hyperv");
    }

    @Test
    @Order(4)
    void rmForceOfAPausedContainer() throws Exception {
        ok("run", "-d", "--name", "frozen", "busybox", "sleep", "600");
        ok("pause", "frozen");
        DaemonProcess.Result rm = docker("rm", "frozen");
        assertTrue(rm.err().contains("You cannot remove a paused container"), rm.err());
        ok("rm", "-f", "frozen");
        assertEquals("", ok("ps", "-aq", "--filter", "name=frozen").out());
    }

    /**
     * A command the image does not have: the CLI exits 127 with dockerd's message, and the
     * container keeps exit code 127 and the error, as with dockerd (moby's translateContainerdStartErr).
     */
    @Test
    @Order(4)
    void aCommandTheImageDoesNotHaveExits127() throws Exception {
        DaemonProcess.Result run = docker("run", "--name", "missing", "busybox", "nosuchcmd");
        assertEquals(127, run.code(), run.err());
        assertTrue(run.err().contains("exec: \"nosuchcmd\": executable file not found in $PATH"), run.err());
        String state = ok("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.State.Error}}", "missing").out();
        assertTrue(state.startsWith("created 127 failed to create shim task: OCI runtime create failed"), state);
        ok("rm", "missing");
    }

    /** The counter a container keeps in /tmp/n, read with docker cp (which works while it is paused). */
    private static long copiedCount(String name) throws Exception {
        Path copy = base.resolve("copied-n");
        Files.deleteIfExists(copy);
        ok("cp", name + ":/tmp/n", copy.toString());
        return count(copy);
    }

    /**
     * Live restore of a paused container: its VM and frozen cgroup outlive the daemon, and the new
     * daemon reports it paused from its record. The counter is in the container's own /tmp: what is
     * checked is the container's state, not a bind mount's (BindTransportTests has those).
     */
    @Test
    @Order(5)
    void aPausedContainerStaysPausedAcrossADaemonRestart() throws Exception {
        ok("run", "-d", "--name", "sleeper", "busybox", "sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/n; done");
        long deadline = System.nanoTime() + SETTLE.toNanos();
        while (docker("exec", "sleeper", "test", "-s", "/tmp/n").code() != 0) {
            assertTrue(System.nanoTime() < deadline, "the loop never wrote /tmp/n; daemon log:\n" + daemon.logTail());
            Thread.sleep(200); // the file appearing is the event; exec is how it is observed
        }
        ok("pause", "sleeper");
        long frozen = copiedCount("sleeper");
        daemon.kill();
        daemon.start();
        assertEquals("paused true\n", ok("inspect", "-f", "{{.State.Status}} {{.State.Paused}}", "sleeper").out());
        assertEquals(frozen, copiedCount("sleeper"), "still frozen after the restart");
        assertEquals("1\n", ok("info", "--format", "{{.ContainersPaused}}").out());
        assertTrue(docker("exec", "sleeper", "true").err().contains("is paused, unpause the container before exec"));
        ok("unpause", "sleeper");
        deadline = System.nanoTime() + SETTLE.toNanos();
        while (copiedCount("sleeper") <= frozen) {
            assertTrue(System.nanoTime() < deadline, "the loop did not go on after unpause; daemon log:\n"
                    + daemon.logTail());
            Thread.sleep(200); // its count changing is the event
        }
        ok("rm", "-f", "sleeper");
    }
}
