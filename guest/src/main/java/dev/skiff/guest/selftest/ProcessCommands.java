package dev.skiff.guest.selftest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * RUN, START, JAVA, WAIT and KILL: processes in the guest, for tests that need a real process
 * (busybox tools, or a second JVM that can be killed while it blocks in a system call). Output
 * (stdout and stderr together) is kept up to {@link #MAX_OUTPUT} bytes.
 */
final class ProcessCommands {
    static final int MAX_OUTPUT = 128 * 1024;

    private record Child(Process process, CompletableFuture<byte[]> output) {}

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
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), mainClass));
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

    /** {@code KILL ID}: SIGKILL. */
    String kill(String id) throws IOException {
        Child c = children.get(id);
        if (c == null) {
            throw new IOException("no process " + id);
        }
        c.process().destroyForcibly();
        return "OK";
    }

    private String register(String id, Child c) throws IOException {
        if (children.putIfAbsent(id, c) != null) {
            c.process().destroyForcibly();
            throw new IOException("process id " + id + " is in use");
        }
        return "OK " + c.process().pid();
    }

    private static Child spawn(List<String> argv) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("LD_LIBRARY_PATH"); // only the JVM-as-init needs it
        Process p = pb.start();
        CompletableFuture<byte[]> out = new CompletableFuture<>();
        // A platform thread: a virtual thread blocked reading a pipe holds its carrier, and the guest
        // has only as many carriers as vCPUs; a few such readers starve every other virtual thread.
        Thread.ofPlatform().daemon().name("output-" + p.pid()).start(() -> out.complete(drain(p.getInputStream())));
        return new Child(p, out);
    }

    private static byte[] drain(InputStream in) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                kept.write(buf, 0, Math.min(n, Math.max(0, MAX_OUTPUT - kept.size())));
            }
        } catch (IOException ignored) {
            // the process ended
        }
        return kept.toByteArray();
    }

    private static String waitFor(Child c, int seconds) throws IOException {
        try {
            if (!c.process().waitFor(seconds, TimeUnit.SECONDS)) {
                throw new IOException("process " + c.process().pid() + " still runs after " + seconds + " s");
            }
            byte[] out = c.output().get(seconds, TimeUnit.SECONDS);
            return "OK " + c.process().exitValue() + " " + Base64.getEncoder().encodeToString(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("cannot collect the output of process " + c.process().pid(), e);
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
