package dev.skiff.guest.selftest;

import dev.skiff.guest.process.FdInputStream;
import dev.skiff.guest.process.Reaper;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Pipes;
import dev.skiff.sys.Processes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * RUN, START, JAVA, WAIT and KILL: processes in the guest, for tests that need a real process
 * (busybox tools, or a second JVM that can be killed while it blocks in a system call). Output
 * (stdout and stderr together, through one pipe) is kept up to {@link #MAX_OUTPUT} bytes.
 * Children are spawned and reaped by {@link Reaper#shared()}.
 */
final class ProcessCommands {
    static final int MAX_OUTPUT = 128 * 1024;
    /**
     * How long WAIT waits, after the process exited, for the end of its output. A descendant left
     * running in the background keeps the pipe open; its output after that is not collected.
     */
    static final long OUTPUT_GRACE_MILLIS = 1000;
    /** The search path for a program name without a slash when PATH is unset, as the JDK uses. */
    static final String DEFAULT_PATH = ":/bin:/usr/bin";

    private record Child(Reaper.Child process, Output output) {}

    /** The output collected so far, and whether the pipe reached end of file. */
    private static final class Output {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private final CompletableFuture<Void> end = new CompletableFuture<>();

        synchronized void append(byte[] b, int n) {
            kept.write(b, 0, Math.min(n, Math.max(0, MAX_OUTPUT - kept.size())));
        }

        synchronized byte[] snapshot() {
            return kept.toByteArray();
        }
    }

    /** The image's class archive, relative to java.home (the image builder's JavaRuntime.ARCHIVE). */
    private static final String CLASS_ARCHIVE = "lib/skiff.jsa";

    private final Map<String, Child> children = new ConcurrentHashMap<>();

    /** {@code RUN B64ARGV}: runs to completion; {@code OK EXIT B64OUTPUT}. */
    String run(String b64argv) throws IOException {
        Child c = spawn(SelftestProtocol.decodeArgv(b64argv));
        return waitFor(c, 120);
    }

    /** {@code START ID B64ARGV}: starts in the background; {@code OK PID}. */
    String start(String id, String b64argv) throws IOException {
        return register(id, spawn(SelftestProtocol.decodeArgv(b64argv)));
    }

    /** {@code JAVA ID MAINCLASS ARG...}: a second JVM on this program's class path. */
    String java(String id, String mainClass, List<String> args) throws IOException {
        Path home = Path.of(System.getProperty("java.home"));
        List<String> argv = new ArrayList<>(List.of(home.resolve("bin/java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED"));
        if (Files.exists(home.resolve(CLASS_ARCHIVE))) {
            argv.add("-XX:SharedArchiveFile=" + home.resolve(CLASS_ARCHIVE)); // the image's, for this class path
        }
        argv.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        argv.addAll(args);
        return register(id, spawn(argv));
    }

    /** {@code WAIT ID SECONDS}: {@code OK EXIT B64OUTPUT}, or ERR if still running then. */
    String await(String id, int seconds) throws IOException {
        Child c = children.get(id);
        if (c == null) {
            throw new IOException("no process " + id);
        }
        String r = waitFor(c, seconds);
        children.remove(id);
        return r;
    }

    /** {@code KILL ID}: SIGKILL; nothing if it has exited already. */
    String kill(String id) throws IOException {
        Child c = children.get(id);
        if (c == null) {
            throw new IOException("no process " + id);
        }
        Reaper.shared().kill(c.process().pid(), Processes.SIGKILL);
        return "OK";
    }

    private String register(String id, Child c) throws IOException {
        if (children.putIfAbsent(id, c) != null) {
            Reaper.shared().kill(c.process().pid(), Processes.SIGKILL);
            throw new IOException("process id " + id + " is in use");
        }
        return "OK " + c.process().pid();
    }

    /** Spawns with stdin /dev/null and stdout and stderr to one pipe, in our environment less LD_LIBRARY_PATH. */
    private static Child spawn(List<String> argv) throws IOException {
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("empty command");
        }
        List<String> env = new ArrayList<>();
        for (Map.Entry<String, String> e : System.getenv().entrySet()) {
            if (!e.getKey().equals("LD_LIBRARY_PATH")) { // only the JVM-as-init needs it
                env.add(e.getKey() + "=" + e.getValue());
            }
        }
        int[] pipe = Pipes.pipe2(Pipes.O_CLOEXEC);
        Reaper.Child process;
        try {
            process = Reaper.shared().spawn(resolve(argv.get(0)), argv, env, null, new int[] {-1, pipe[1], pipe[1]}, false);
        } catch (ErrnoException | RuntimeException e) {
            Fds.close(pipe[0]);
            throw e;
        } finally {
            Fds.close(pipe[1]);
        }
        Output out = new Output();
        // A platform thread: a virtual thread blocked reading a pipe holds its carrier, and the guest
        // has only as many carriers as vCPUs; a few such readers starve every other virtual thread.
        Thread.ofPlatform().daemon().name("output-" + process.pid())
                .start(() -> drain(new FdInputStream(pipe[0]), out));
        return new Child(process, out);
    }

    /** A program name without a slash is looked up in our PATH, as ProcessBuilder did. */
    private static String resolve(String program) {
        if (program.contains("/")) {
            return program;
        }
        String path = System.getenv().getOrDefault("PATH", DEFAULT_PATH);
        for (String dir : path.split(":", -1)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return program; // posix_spawn then fails with ENOENT, naming it
    }

    private static void drain(InputStream in, Output out) {
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.append(buf, n);
            }
        } catch (IOException ignored) {
            // the process ended
        } finally {
            out.end.complete(null);
        }
    }

    private static String waitFor(Child c, int seconds) throws IOException {
        int pid = c.process().pid();
        Processes.ExitStatus status;
        try {
            status = c.process().exit().get(seconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IOException("process " + pid + " still runs after " + seconds + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException("cannot wait for process " + pid, e);
        }
        try {
            c.output().end.get(OUTPUT_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // a background descendant holds the pipe: answer with what arrived so far
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            throw new IOException("cannot collect the output of process " + pid, e);
        }
        return "OK " + status.shellCode() + " " + Base64.getEncoder().encodeToString(c.output().snapshot());
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
