package dev.skiff.cli.daemon;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.sys.HostTools;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Talks to a running daemon, or starts one. */
public final class DaemonClient {
    /**
     * Lets the API server read its connections' descriptors, to see an attach client that went
     * ({@code dev.skiff.sys.Sockets#fd}); the skiff launcher passes the same.
     */
    public static final String API_EXPORTS = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";

    /**
     * The daemon's JVM options, wherever it is started: here in the background, by the launcher's
     * {@code skiff daemon} (which spells the same list in bash), and by the tests' DaemonProcess.
     * The serial collector, as for the CLI; but full tiered compilation, where the short-lived CLI
     * stops at C1: the daemon lives long and hashes, inflates and converts every layer it pulls or
     * loads, and C1 has no SHA-256 intrinsic (85 MB/s here against C2's 1,100).
     */
    public static final List<String> DAEMON_JVM = List.of("--enable-native-access=ALL-UNNAMED", API_EXPORTS,
            "-XX:+UseSerialGC");

    private DaemonClient() {}

    /** First start builds the guest image and the busybox image: give it time (it prints progress). */
    static final Duration START_TIMEOUT = Duration.ofMinutes(15);

    /** Starts a daemon in the background (its own session, log in the run folder) unless one answers. */
    public static void ensureDaemon(Path socket, PrintStream progress) throws IOException, InterruptedException {
        if (Daemon.answers(socket)) {
            return;
        }
        dev.skiff.vm.RunDirs.createBase();
        Path log = DaemonPaths.log();
        Files.createDirectories(log.getParent());
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        List<String> cmd = new ArrayList<>();
        // the daemon must not die with this terminal's process group
        HostTools.find("setsid").ifPresent(setsid -> cmd.add(setsid.toString()));
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(DAEMON_JVM);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.skiff.cli.Main", "daemon"));
        progress.println("skiff: starting the daemon (log: " + log + ")");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        long shown = logStart;
        while (!Daemon.answers(socket)) {
            shown = showNew(log, shown, progress);
            if (!p.isAlive() && !Daemon.answers(socket)) {
                showNew(log, shown, progress);
                throw new IOException("the daemon exited with " + p.exitValue() + " before it answered; see " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the daemon did not answer within " + START_TIMEOUT.toMinutes() + " minutes; see " + log);
            }
            Thread.sleep(200); // polling the socket: the daemon has no other way to say it is up
        }
        showNew(log, shown, progress);
    }

    private static long showNew(Path log, long from, PrintStream progress) throws IOException {
        if (!Files.exists(log)) {
            return from;
        }
        long size = Files.size(log);
        if (size <= from) {
            return from;
        }
        try (var ch = java.nio.channels.FileChannel.open(log)) {
            var buf = java.nio.ByteBuffer.allocate((int) Math.min(size - from, 1 << 20));
            ch.read(buf, from);
            String text = new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            if (end < 0) {
                return from;
            }
            for (String line : text.substring(0, end).split("\n")) {
                progress.println("skiff daemon: " + line);
            }
            return from + text.substring(0, end + 1).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
    }

    /** The docker CLI, which `skiff run` drives. */
    public static String dockerCli() throws IOException {
        return HostTools.find("docker").orElseThrow(() -> new IOException("skiff run drives the docker CLI: "
                + HostTools.missing("docker", "docker.io") + " (only its CLI is used), or use any Docker API client"
                + " with DOCKER_HOST=unix://" + DaemonPaths.socket())).toString();
    }

    /** A table of the VMs and their containers. */
    public static String vmTable(Path socket) throws IOException {
        JsonNode vms = new ObjectMapper().readTree(UnixHttp.body(UnixHttp.get(socket, "/skiff/vms")));
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-22s %-10s %-38s %-8s %s%n", "VM", "MODE", "BOOT ID", "PID", "CONTAINERS"));
        for (JsonNode vm : vms) {
            List<String> ids = new ArrayList<>();
            vm.path("containerIds").forEach(c -> ids.add(c.asText().substring(0, Math.min(12, c.asText().length()))));
            out.append(String.format("%-22s %-10s %-38s %-8d %s%n", vm.path("name").asText(), vm.path("mode").asText(),
                    vm.path("bootId").asText(), vm.path("pid").asLong(), String.join(",", ids)));
        }
        if (vms.isEmpty()) {
            out.append("(no VMs running)\n");
        }
        return out.toString();
    }
}
