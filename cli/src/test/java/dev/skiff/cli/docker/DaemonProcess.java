package dev.skiff.cli.docker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real `skiff daemon` process for the docker CLI tests, with its own run and data folders (so
 * it never meets a daemon the user runs), and the docker CLI pointed at it.
 */
final class DaemonProcess {
    static final Duration START = Duration.ofMinutes(10);

    final Path base;
    final Path socket;
    private Process process;
    private final Path log;
    private final String classPath;
    /**
     * How long the shared VM outlives its last container (SKIFF_IDLE_SECONDS). Short for most
     * tests; a test that alternates long runs in dedicated VMs with runs in the shared one sets it
     * longer before {@link #start}, so the shared VM is not booted anew each time.
     */
    int idleSeconds = 30;

    DaemonProcess(Path base) {
        this(base, System.getProperty("java.class.path"));
    }

    /** @param classPath the daemon's own: a test module with other clients on its class path passes Skiff's */
    DaemonProcess(Path base, String classPath) {
        this.base = base;
        this.socket = base.resolve("run/docker.sock");
        this.log = base.resolve("daemon.log");
        this.classPath = classPath;
    }

    Map<String, String> env() {
        // the test's own daemon.json (absent unless a test writes it), never the machine's /etc/skiff/daemon.json
        return Map.of("SKIFF_RUN", base.resolve("run").toString(), "SKIFF_DATA", base.resolve("data").toString(),
                "SKIFF_IDLE_SECONDS", Integer.toString(idleSeconds), "SKIFF_CONFIG", base.resolve("daemon.json").toString());
    }

    /** The daemon's process id. */
    long pid() {
        return process.pid();
    }

    /** The virtio-fs share host's process id, from the pid file beside its socket; -1 if it is not running. */
    long shareHostPid() throws IOException {
        Path pid = base.resolve("run/virtiofs-host.sock.pid");
        try {
            return Long.parseLong(Files.readString(pid).trim());
        } catch (java.nio.file.NoSuchFileException | NumberFormatException e) {
            return -1;
        }
    }

    /** Starts the daemon and waits until docker version answers through it. */
    void start() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(dev.skiff.cli.daemon.DaemonClient.DAEMON_JVM);
        cmd.addAll(List.of("-cp", classPath, "dev.skiff.cli.Main", "daemon"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(env());
        process = pb.start();
        long deadline = System.nanoTime() + START.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("skiff daemon exited with " + process.exitValue() + ": " + logTail());
            }
            if (Files.exists(socket) && docker(List.of("version", "--format", "{{.Server.Version}}"), null).code() == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("skiff daemon did not answer within " + START.toMinutes() + " min: " + logTail());
            }
            Thread.sleep(250); // the socket answering is the event; there is no other signal to wait on
        }
    }

    /** SIGKILL, as a crash would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }

    /**
     * The daemon log's last lines, then the last lines of the console log of every VM they name:
     * a VM test that fails in CI has no other trace of what the guest was doing.
     */
    String logTail() {
        List<String> lines;
        try {
            lines = Files.readAllLines(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
        List<String> tail = lines.subList(Math.max(0, lines.size() - 30), lines.size());
        StringBuilder out = new StringBuilder(String.join("\n", tail));
        java.util.Set<String> vms = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\bskiff-[0-9a-z-]+").matcher(String.join("\n", tail));
        while (m.find()) {
            vms.add(m.group());
        }
        // a VM's console log is named for the VM and its run: NAME-RUN.console.log
        try (var logs = Files.newDirectoryStream(base.resolve("run/logs"), "skiff-*.console.log")) {
            for (Path console : logs) {
                String file = console.getFileName().toString();
                if (vms.stream().noneMatch(vm -> file.startsWith(vm + "-"))) {
                    continue;
                }
                List<String> c = Files.readAllLines(console, StandardCharsets.ISO_8859_1);
                out.append("\n--- last lines of ").append(console).append(":\n")
                        .append(String.join("\n", c.subList(Math.max(0, c.size() - 40), c.size())));
            }
        } catch (IOException e) {
            out.append("\n(no VM console logs: ").append(e.getMessage()).append(')');
        }
        return out.toString();
    }

    /** How long a test waits for something a container does: generous, TCG's speed varies twofold. */
    static final Duration AWAIT = Duration.ofMinutes(2);

    /** Waits until {@code file} holds exactly {@code content}. */
    void awaitContent(Path file, String content) throws Exception {
        awaitFile(file, content::equals, "'" + content + "'");
    }

    /**
     * Waits until {@code file} exists and its content passes {@code done}, and returns that content.
     * The container's own write is the event; the host has only the file to look at, so it polls.
     */
    String awaitFile(Path file, java.util.function.Predicate<String> done, String what) throws Exception {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = Files.exists(file) ? Files.readString(file) : null;
            if (last != null && done.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(file + " holds " + (last == null ? "nothing" : "'" + last + "'") + ", not " + what
                + "\ndaemon log:\n" + logTail());
    }

    /** Waits until the container's log has {@code line}: its output is taken up again. */
    void awaitLogs(String name, String line) throws Exception {
        awaitLogs(name, out -> out.contains(line), "'" + line + "'");
    }

    /** Waits until the container's log ({@code docker logs}, stdout) passes {@code done}, and returns it. */
    String awaitLogs(String name, java.util.function.Predicate<String> done, String what) throws Exception {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (true) {
            String out = ok("logs", name).out();
            if (done.test(out)) {
                return out;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + "'s log lacks " + what + " after " + AWAIT.toMinutes() + " min: "
                        + out.substring(Math.max(0, out.length() - 2000)) + "\ndaemon log:\n" + logTail());
            }
            Thread.sleep(200);
        }
    }

    record Result(int code, String out, String err) {}

    /** Runs the docker CLI against this daemon and fails the test, with the daemon's log, unless it succeeds. */
    Result ok(String... args) throws IOException, InterruptedException {
        Result r = docker(List.of(args), null);
        if (r.code() != 0) {
            throw new AssertionError("docker " + String.join(" ", args) + " failed (" + r.code() + "): " + r.err()
                    + "\ndaemon log:\n" + logTail());
        }
        return r;
    }

    /** Runs the docker CLI against this daemon. */
    Result docker(List<String> args, byte[] stdin) throws IOException, InterruptedException {
        return docker(args, stdin, CLIENT_LIMIT);
    }

    /** How long a client command may take before the test gives up on it (and kills it). */
    static final java.time.Duration CLIENT_LIMIT = java.time.Duration.ofMinutes(5);

    /** {@link #docker(List, byte[])} with a time limit of its own: for an app's long work under TCG. */
    Result docker(List<String> args, byte[] stdin, java.time.Duration limit) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("docker", "-H", "unix://" + socket));
        cmd.addAll(args);
        return client(cmd, stdin, limit);
    }

    /** Runs any Docker API client (docker-compose...) against this daemon: DOCKER_HOST names its socket. */
    Result client(List<String> cmd, byte[] stdin) throws IOException, InterruptedException {
        return client(cmd, stdin, CLIENT_LIMIT);
    }

    private Result client(List<String> cmd, byte[] stdin, java.time.Duration limit) throws IOException, InterruptedException {
        List<String> args = cmd;
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("DOCKER_HOST", "unix://" + socket);
        // the CLI's own config (docker login stores credentials there): the test's, never the user's
        pb.environment().put("DOCKER_CONFIG", base.resolve("docker-config").toString());
        Path out = Files.createTempFile(base, "out", ".txt");
        Path err = Files.createTempFile(base, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        if (stdin != null) {
            try (var in = p.getOutputStream()) {
                in.write(stdin);
            }
        }
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(args + " did not finish in " + limit.toMinutes() + " minutes; daemon log:\n" + logTail());
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return r;
    }
}
