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
 * Runs runc. Each call writes runc's own log to a file (JSON lines) so that a failure is reported
 * with runc's message, while the container's stdio stays the container's alone.
 *
 * <p>{@code --no-pivot}: the guest's root is the initramfs, where pivot_root(2) fails (rootfs
 * cannot be moved); hcsshim's guest agent passes it for the same reason.
 */
final class Runc {
    static final String BINARY = "/usr/sbin/runc";
    /**
     * A runc command that has not answered in this long is stuck; generous for TCG emulation, and
     * shorter than the host's call timeout so the host hears why.
     */
    static final long TIMEOUT_SECONDS = 100;

    private final String binary;

    Runc(String binary) {
        this.binary = binary;
    }

    /** Runs {@code runc --log FILE --log-format json ARGS...} with the given stdio and waits for it. */
    void run(Path logFile, int[] stdio, String... args) throws TtrpcException {
        List<String> argv = new ArrayList<>(List.of(binary, "--log", logFile.toString(), "--log-format", "json"));
        argv.addAll(List.of(args));
        Processes.ExitStatus status;
        Reaper.Child child = null;
        try {
            child = Reaper.shared().spawn(binary, argv, List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin"),
                    "/", stdio, false);
            status = child.exit().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new TtrpcException(Code.INTERNAL, "cannot start runc: " + e.getMessage());
        } catch (TimeoutException e) {
            // Say where everything is stuck (the console log keeps it), then free the agent.
            dev.skiff.guest.Main.log("runc " + args[0] + " (pid " + child.pid() + ") did not finish in "
                    + TIMEOUT_SECONDS + " s; processes now:\n" + ProcessTable.describe());
            try {
                Reaper.shared().kill(child.pid(), Processes.SIGKILL);
            } catch (IOException ignored) {
                // it may just have ended
            }
            throw new TtrpcException(Code.DEADLINE_EXCEEDED, "runc " + args[0] + " did not finish in "
                    + TIMEOUT_SECONDS + " s (the VM's console log lists where its processes wait)");
        } catch (ExecutionException e) {
            throw new TtrpcException(Code.INTERNAL, "runc " + args[0] + ": " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TtrpcException(Code.CANCELLED, "interrupted waiting for runc " + args[0]);
        }
        if (!status.exited() || status.exitCode() != 0) {
            throw new TtrpcException(Code.INTERNAL, "runc " + String.join(" ", args) + " failed (status "
                    + status.shellCode() + "): " + lastError(logFile));
        }
    }

    /** The last error runc logged: the "msg" of its last JSON line with level error (or fatal). */
    static String lastError(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i);
                if (line.contains("\"level\":\"error\"") || line.contains("\"level\":\"fatal\"")) {
                    return jsonField(line, "msg");
                }
            }
            return lines.isEmpty() ? "no message" : lines.getLast();
        } catch (IOException e) {
            return "no log (" + e.getMessage() + ")";
        }
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
