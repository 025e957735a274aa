package dev.skiff.cli.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.Event;
import dev.skiff.agent.api.ExitStatus;
import dev.skiff.agent.api.StreamKind;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.cli.selftest.Images;
import dev.skiff.image.GuestImage;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.server.Export;
import dev.skiff.p9.server.Server;
import dev.skiff.ttrpc.Code;
import dev.skiff.vm.DiskSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The guest agent in a real TCG guest, driven through the host's AgentClient over ttrpc: runc
 * containers on a busybox EROFS layer under overlayfs with an ext4 scratch disk, their stdio,
 * exits, signals, exec, a TTY, two containers at once, a 9P share from Skiff's server, and the
 * VM killed under a running container. One VM serves every test, in order; the last kills it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static AgentSession session;
    private static AgentClient agent;
    private static Path export;
    private static int counter;

    @BeforeAll
    static void boot() throws Exception {
        GuestImage image = Images.selftestImage(System.out);
        Path layer = BusyboxLayer.get(System.out);
        Path tmp = Files.createTempDirectory("skiff-agent-it");
        Path scratch = tmp.resolve("scratch.ext4");
        // The host formats scratch disks (mkfs.ext4 from e2fsprogs); the agent only mounts them.
        try (var f = java.nio.channels.FileChannel.open(scratch, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.truncate(0).position(256L << 20).write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
        Process mkfs = new ProcessBuilder(dev.skiff.sys.HostTools.require("mkfs.ext4", "e2fsprogs").toString(), "-q", "-F", scratch.toString()).inheritIO().start();
        assertEquals(0, mkfs.waitFor(), "mkfs.ext4 of the scratch disk");
        session = AgentSession.start(AgentSession.config("it-agent", image, List.of(),
                List.of(new DiskSpec(layer, "busybox", true), new DiskSpec(scratch, "scratch", false))));
        agent = session.agent();
        assertEquals("/run/skiff/storage/busybox", agent.addLayer("busybox", "busybox", "erofs"));
        agent.addScratch("scratch", "scratch");
        export = Files.createDirectories(tmp.resolve("export"));
    }

    @AfterAll
    static void shutDown() {
        if (session != null) {
            session.close();
        }
    }

    /** Output of a process, read on its own thread as a host would. */
    private static CompletableFuture<byte[]> output(String id, String exec, StreamKind kind) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                agent.readOutput(id, exec, kind, out);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
            return out.toByteArray();
        }, r -> Thread.ofVirtual().start(r));
    }

    /** Output of a process into a collector, read on its own thread; the future ends at EOF. */
    private static CompletableFuture<Long> collect(String id, String exec, StreamKind kind, Collector into) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return agent.readOutput(id, exec, kind, into);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }

    private static String text(CompletableFuture<byte[]> f) throws Exception {
        return new String(f.get(WAIT.toSeconds(), TimeUnit.SECONDS), StandardCharsets.UTF_8);
    }

    private static String create(OciSpec.Process process, List<OciSpec.Bind> binds, boolean tty, boolean stdin)
            throws IOException {
        String id = "c" + (++counter);
        agent.createContainer(id, OciSpec.build(id, id, process, binds), List.of("busybox"), "scratch",
                AgentClient.stdio(tty, stdin));
        return id;
    }

    private static OciSpec.Process sh(String script) {
        return OciSpec.Process.of(List.of("/bin/sh", "-c", script));
    }

    @Test
    @Order(1)
    void exactStdoutStderrAndExitCode() throws Exception {
        String id = create(sh("echo out; echo err >&2; exit 3"), List.of(), false, false);
        try (AgentClient.EventStream events = agent.events()) {
            var out = output(id, "", StreamKind.STDOUT);
            var err = output(id, "", StreamKind.STDERR);
            int pid = agent.startContainer(id);
            assertEquals("out\n", text(out));
            assertEquals("err\n", text(err));
            ExitStatus status = agent.waitProcess(id, "", WAIT);
            assertEquals(3, status.getExitCode());
            assertEquals(0, status.getSignal());
            // an overlay holds its lower layers through private clones: only the agent's check
            // keeps the layer under this (exited, not removed) container from being unmounted
            AgentException inUse = assertThrows(AgentException.class, () -> agent.removeStorage("busybox"));
            assertEquals(Code.FAILED_PRECONDITION, inUse.code(), inUse.getMessage());
            Optional<Event> exited = events.next();
            assertTrue(exited.isPresent() && exited.get().hasExited(), "an exit event");
            assertEquals(id, exited.get().getExited().getContainerId());
            assertEquals(pid, exited.get().getExited().getPid());
            assertEquals(3, exited.get().getExited().getStatus().getExitCode());
        }
        agent.removeContainer(id, false);
        AgentException gone = assertThrows(AgentException.class, () -> agent.waitProcess(id, "", WAIT));
        assertEquals(Code.NOT_FOUND, gone.code());
    }

    @Test
    @Order(2)
    void stdinThroughCatLosesNoByteAndKeepsOrder() throws Exception {
        String id = create(OciSpec.Process.of(List.of("cat")), List.of(), false, true);
        var out = output(id, "", StreamKind.STDOUT);
        agent.startContainer(id);
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        try (OutputStream in = agent.openInput(id, "")) {
            for (int i = 0; i < 20_000; i++) { // ~400 KiB in small writes: many chunks, one order
                byte[] line = ("line " + i + " of the stdin test\n").getBytes(StandardCharsets.UTF_8);
                in.write(line);
                sent.write(line);
            }
        }
        assertArrayEquals(sent.toByteArray(), out.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, agent.waitProcess(id, "", WAIT).getExitCode());
        agent.removeContainer(id, false);
    }

    @Test
    @Order(3)
    void ttyProcessSeesATerminalOfTheGivenSizeAndResizes() throws Exception {
        String id = create(sh("tty; stty size; read line; stty size; echo got $line").withTerminal(true), List.of(),
                true, true);
        Collector out = new Collector();
        var reading = collect(id, "", StreamKind.STDOUT, out);
        agent.startContainer(id);
        OutputStream in = agent.openInput(id, "");
        out.awaitContains("24 80\r\n", WAIT); // the size given at create
        agent.resizeTty(id, "", 40, 100);
        in.write("hello\n".getBytes(StandardCharsets.UTF_8));
        in.close();
        assertEquals(0, agent.waitProcess(id, "", WAIT).getExitCode());
        reading.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        String text = out.text();
        assertTrue(text.contains("/dev/pts/0\r\n"), "tty names a pty: " + text);
        assertTrue(text.contains("24 80\r\n"), "initial size 24x80: " + text);
        assertTrue(text.contains("40 100\r\n"), "resized to 40x100: " + text);
        assertTrue(text.contains("got hello\r\n"), "input through the pty: " + text);
        assertThrows(AgentException.class, () -> agent.readOutput(id, "", StreamKind.STDERR, OutputStream.nullOutputStream()),
                "a terminal has no separate stderr");
        agent.removeContainer(id, false);
    }

    @Test
    @Order(4)
    void execRunsInsideTheRunningContainer() throws Exception {
        String id = create(sh("echo inside > /tmp/marker; echo ready; exec sleep 1000"), List.of(), false, false);
        Collector initOut = new Collector();
        collect(id, "", StreamKind.STDOUT, initOut);
        agent.startContainer(id);
        initOut.awaitContains("ready\n", WAIT); // the marker is written
        agent.exec(id, "cat", OciSpec.Process.of(List.of("cat", "/tmp/marker")).toJson(), AgentClient.stdio(false, false));
        var seen = text(output(id, "cat", StreamKind.STDOUT)); // the agent holds output until it is read
        assertEquals(0, agent.waitProcess(id, "cat", WAIT).getExitCode());
        assertEquals("inside\n", seen, "exec sees the container's own files");
        agent.exec(id, "ps", OciSpec.Process.of(List.of("/bin/sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; exit 5"))
                .toJson(), AgentClient.stdio(false, false));
        var ps = output(id, "ps", StreamKind.STDOUT);
        assertEquals(5, agent.waitProcess(id, "ps", WAIT).getExitCode());
        assertEquals("sleep 1000 ", text(ps), "pid 1 of the exec's namespace is the container's init");
        agent.removeContainer(id, true);
        assertEquals("ready\n", initOut.text());
    }

    @Test
    @Order(5)
    void sigtermReachesTheContainer() throws Exception {
        String id = create(sh("trap 'echo got TERM; exit 7' TERM; echo ready; while true; do sleep 0.1; done"),
                List.of(), false, false);
        Collector out = new Collector();
        var reading = collect(id, "", StreamKind.STDOUT, out);
        agent.startContainer(id);
        out.awaitContains("ready\n", WAIT); // the trap is set
        agent.signal(id, "", 15, false);
        assertEquals(7, agent.waitProcess(id, "", WAIT).getExitCode());
        reading.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("ready\ngot TERM\n", out.text());
        agent.removeContainer(id, false);
    }

    @Test
    @Order(6)
    void twoContainersRunAtOnce() throws Exception {
        String a = create(sh("read x; echo $(hostname) got $x"), List.of(), false, true);
        String b = create(sh("echo $(hostname) done"), List.of(), false, false);
        var outA = output(a, "", StreamKind.STDOUT);
        var outB = output(b, "", StreamKind.STDOUT);
        agent.startContainer(a);
        agent.startContainer(b);
        // b runs to its end while a still waits for its input: both were running at once.
        assertEquals(b + " done\n", text(outB));
        assertEquals(0, agent.waitProcess(b, "", WAIT).getExitCode());
        assertFalse(outA.isDone(), "a is still running");
        try (OutputStream in = agent.openInput(a, "")) {
            in.write("ping\n".getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(a + " got ping\n", text(outA));
        assertEquals(0, agent.waitProcess(a, "", WAIT).getExitCode());
        agent.removeContainer(a, false);
        agent.removeContainer(b, false);
    }

    @Test
    @Order(7)
    void virtioFsShareIsWrittenInsideAndReadOnTheHost() throws Exception {
        Path dir = Files.createDirectories(export.resolve("vfs"));
        Files.writeString(dir.resolve("from-host.txt"), "host data\n");
        var backend = dev.skiff.virtiofs.device.VirtioFsServer.listen(session.vm().filesystemSocket("vfs1"), "vfs1",
                new Passthrough(dir), false);
        var served = backend.start("vfs1");
        session.vm().hotplugFilesystem("vfs1");
        agent.addVirtioFsShare("vfs", "vfs1", false, false);
        String id = create(sh("cat /data/from-host.txt; echo written in the container > /data/out.txt"),
                List.of(new OciSpec.Bind("vfs", "", "/data", false)), false, false);
        var out = output(id, "", StreamKind.STDOUT);
        agent.startContainer(id);
        assertEquals(0, agent.waitProcess(id, "", WAIT).getExitCode());
        assertEquals("host data\n", text(out));
        assertEquals("written in the container\n", Files.readString(dir.resolve("out.txt")));
        agent.removeContainer(id, false);
        agent.removeStorage("vfs");
        session.vm().unplugFilesystem("vfs1");
        assertEquals(dev.skiff.vhost.SessionEnd.Kind.PEER_CLOSED, served.get(60, TimeUnit.SECONDS).kind(),
                "the back-end's session ended with the device");
    }

    @Test
    @Order(7)
    void ninePShareIsWrittenInsideAndReadOnTheHost() throws Exception {
        Files.writeString(export.resolve("from-host.txt"), "host data\n");
        Server server = new Server(new Export(export.toString(), new Passthrough(export), false, null));
        server.start((SocketChannel) session.vm().hotplugChannel("p9.share").connect());
        agent.addShare("share", "p9.share", "", false);
        String id = create(sh("cat /data/from-host.txt; echo written in the container > /data/out.txt; "
                + "echo ro > /ro/x 2>/dev/null && echo WRONG; exit 0"),
                List.of(new OciSpec.Bind("share", "", "/data", false), new OciSpec.Bind("share", "", "/ro", true)),
                false, false);
        var out = output(id, "", StreamKind.STDOUT);
        agent.startContainer(id);
        assertEquals(0, agent.waitProcess(id, "", WAIT).getExitCode());
        assertEquals("host data\n", text(out), "read the host's file, and the read-only bind refused the write");
        assertEquals("written in the container\n", Files.readString(export.resolve("out.txt")));
        assertFalse(Files.exists(export.resolve("x")));
        agent.removeContainer(id, false);
    }

    @Test
    @Order(8)
    void badRequestsAreRefusedAndTheAgentGoesOn() throws Exception {
        AgentException noLayer = assertThrows(AgentException.class, () -> agent.createContainer("bad1",
                OciSpec.build("bad1", "bad1", sh("true"), List.of()), List.of("no-such-layer"), "", AgentClient.stdio(false, false)));
        assertEquals(Code.NOT_FOUND, noLayer.code());
        // crun reads the spec when it runs the container: at the start, which says why and leaves nothing
        agent.createContainer("bad2", "{not json".getBytes(StandardCharsets.UTF_8), List.of("busybox"), "",
                AgentClient.stdio(false, false));
        AgentException badSpec = assertThrows(AgentException.class, () -> agent.startContainer("bad2"));
        assertTrue(badSpec.getMessage().contains("crun run bad2 failed"), badSpec.getMessage());
        AgentException again = assertThrows(AgentException.class, () -> agent.startContainer("bad2"));
        assertEquals(Code.FAILED_PRECONDITION, again.code(), again.getMessage());
        agent.removeContainer("bad2", true);
        AgentException unknown = assertThrows(AgentException.class, () -> agent.startContainer("nothing-here"));
        assertEquals(Code.NOT_FOUND, unknown.code());
        agent.ping(WAIT);
        // The failed create left nothing behind: the same id can be used.
        String id = create(sh("exit 0"), List.of(), false, false);
        agent.startContainer(id);
        assertEquals(0, agent.waitProcess(id, "", WAIT).getExitCode());
        agent.removeContainer(id, false);
        var info = agent.guestInfo();
        assertNotEquals("", info.getBootId());
        assertTrue(info.getAgentRssBytes() > 0);
        System.out.printf("agent memory: RSS %.1f MiB, heap used %.1f MiB (guest total %.0f MiB)%n",
                info.getAgentRssBytes() / 1048576.0, info.getAgentHeapUsedBytes() / 1048576.0,
                info.getMemoryTotalBytes() / 1048576.0);
    }

    @Test
    @Order(9)
    void killingTheVmUnderARunningContainerFailsCallsInsteadOfHanging() throws Exception {
        String id = create(OciSpec.Process.of(List.of("sleep", "1000")), List.of(), false, false);
        agent.startContainer(id);
        CompletableFuture<ExitStatus> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return agent.waitProcess(id, "", null);
            } catch (AgentException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        session.vm().kill();
        var failure = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        AgentException e = (AgentException) failure.getCause().getCause();
        assertTrue(e.vmGone(), e.getMessage());
        AgentException after = assertThrows(AgentException.class, () -> agent.ping(WAIT));
        assertTrue(after.vmGone(), after.getMessage());
    }
}
