package dev.skiff.agent.container;

import dev.skiff.guest.process.Reaper;
import dev.skiff.sys.Processes;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the OCI runtime: crun by default, runc when the host asks for it (see {@link #choose}). Each
 * call writes the runtime's own log to a file (JSON) so that a failure is reported with the
 * runtime's message, while the container's stdio stays the container's alone. The two take the same
 * command line for everything the agent does (create, start, exec, kill, delete, pause, resume).
 *
 * <p>Why crun: under TCG emulation runc's Go runtime start-up, paid twice per container (runc,
 * then runc init re-executing the same 10 MB binary), was most of a container's start: in one
 * {@code skiff agent bench} run, {@code runc run} of busybox {@code true} took 1.33 s and
 * {@code crun run} of the same bundle 0.25 s.
 *
 * <p>{@code --no-pivot}: the guest's root is the initramfs, where pivot_root(2) fails (rootfs
 * cannot be moved); hcsshim's guest agent passes it for the same reason.
 */
public final class OciRuntime {
    static final String CRUN = "/usr/bin/crun";
    static final String RUNC = "/usr/sbin/runc";
    /**
     * A runtime command that has not answered in this long is stuck; generous for TCG emulation, and
     * shorter than the host's call timeout so the host hears why.
     */
    static final long TIMEOUT_SECONDS = 100;

    private final String binary;
    private final String name;

    OciRuntime(String binary) {
        this.binary = binary;
        this.name = Path.of(binary).getFileName().toString();
    }

    /**
     * The runtime binary: runc when the init's environment has {@code SKIFF_OCI_RUNTIME=runc} (the
     * host puts it on the kernel command line when its own environment has it), else crun.
     */
    public static String choose(java.util.Map<String, String> env) {
        return "runc".equals(env.get(dev.skiff.agent.api.AgentProtocol.RUNTIME_ENV)) ? RUNC : CRUN;
    }

    /**
     * Whether a container's init is started by {@code RUNTIME run} staying in the foreground (one
     * runtime process per container run, which also cleans up after it) instead of create, start and
     * delete. crun only, and without a terminal (see Containers.create): each runtime process saved
     * is a whole start-up of the runtime under TCG (crun --version alone takes 0.2 to 0.5 s in the
     * guest). runc keeps the three-step path.
     */
    boolean runsInForeground() {
        return CRUN.equals(binary);
    }

    /** Starts {@code RUNTIME --log FILE --log-format json ARGS...} with the given stdio, without waiting. */
    Reaper.Child spawn(Path logFile, int[] stdio, String... args) throws TtrpcException {
        List<String> argv = new ArrayList<>(List.of(binary, "--log", logFile.toString(), "--log-format", "json"));
        argv.addAll(List.of(args));
        try {
            return Reaper.shared().spawn(binary, argv, List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), "/", stdio, false);
        } catch (IOException e) {
            throw new TtrpcException(Code.INTERNAL, "cannot start " + name + ": " + e.getMessage());
        }
    }

    /** Runs {@code RUNTIME --log FILE --log-format json ARGS...} with the given stdio and waits for it. */
    void run(Path logFile, int[] stdio, String... args) throws TtrpcException {
        Processes.ExitStatus status;
        Reaper.Child child = spawn(logFile, stdio, args);
        try {
            status = child.exit().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            // Say where everything is stuck (the console log keeps it), then free the agent.
            dev.skiff.guest.Main.log(name + " " + args[0] + " (pid " + child.pid() + ") did not finish in "
                    + TIMEOUT_SECONDS + " s; processes now:\n" + ProcessTable.describe());
            try {
                Reaper.shared().kill(child.pid(), Processes.SIGKILL);
            } catch (IOException ignored) {
                // it may just have ended
            }
            throw new TtrpcException(Code.DEADLINE_EXCEEDED, name + " " + args[0] + " did not finish in "
                    + TIMEOUT_SECONDS + " s (the VM's console log lists where its processes wait)");
        } catch (ExecutionException e) {
            throw new TtrpcException(Code.INTERNAL, name + " " + args[0] + ": " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TtrpcException(Code.CANCELLED, "interrupted waiting for " + name + " " + args[0]);
        }
        if (!status.exited() || status.exitCode() != 0) {
            throw failed(logFile, status, args);
        }
    }

    /** A runtime command that failed, as the host hears it: the verb, the container and the runtime's own message. */
    TtrpcException failed(Path logFile, Processes.ExitStatus status, String... args) {
        // The verb and the container, not the whole command line: its bundle paths mean nothing to a user.
        return new TtrpcException(Code.INTERNAL, name + " " + args[0] + " " + args[args.length - 1] + " failed (status "
                + status.shellCode() + "): " + lastError(logFile));
    }

    /**
     * The last error the runtime logged: the "msg" of its last JSON object with level error (or
     * fatal). runc ends each object with a newline; crun 1.8 writes them back to back on one line.
     */
    static String lastError(Path logFile) {
        String text;
        try {
            text = Files.readString(logFile);
        } catch (IOException e) {
            return "no log (" + e.getMessage() + ")";
        }
        List<String> objects = jsonObjects(text);
        for (int i = objects.size() - 1; i >= 0; i--) {
            String object = objects.get(i);
            if (object.contains("\"level\":\"error\"") || object.contains("\"level\":\"fatal\"")) {
                return jsonField(object, "msg");
            }
        }
        return objects.isEmpty() ? (text.isBlank() ? "no message" : text.strip()) : objects.getLast();
    }

    /** The top-level {...} objects of a log, whatever separates them; quotes and escapes respected. */
    static List<String> jsonObjects(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = -1;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                if (depth++ == 0) {
                    start = i;
                }
            } else if (c == '}' && depth > 0 && --depth == 0) {
                out.add(text.substring(start, i + 1));
            }
        }
        return out;
    }

    /** A string field of one JSON line, unescaped enough for a message; the line itself if absent. */
    static String jsonField(String line, String field) {
        String key = "\"" + field + "\":\"";
        int start = line.indexOf(key);
        if (start < 0) {
            return line;
        }
        StringBuilder out = new StringBuilder();
        for (int i = start + key.length(); i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                break;
            }
            if (c == '\\' && i + 1 < line.length()) {
                char n = line.charAt(++i);
                out.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> n;
                });
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
