package dev.skiff.engine;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A runtime's refusal to start a container's command, as dockerd reports it (moby's
 * translateContainerdStartErr): a command that does not exist sets the exit code 127, one that
 * cannot be run (permission denied) 126, and either is the request's fault (400), so that the
 * docker CLI exits with that code as it does for dockerd. The CLI recognises the case by runc's
 * wording ({@code exec: "X": executable file not found in $PATH}), so crun's is said that way.
 */
record StartRefusal(int exitCode, String message) {
    /** crun 1.8: {@code executable file `X` not found in $PATH: No such file or directory}. */
    private static final Pattern CRUN_NOT_FOUND = Pattern.compile("executable file `([^`]*)` not found in \\$PATH");

    /** The refusal in {@code runtimeMessage} of {@code command}, or null when the failure is another. */
    static StartRefusal of(String command, String runtimeMessage) {
        if (runtimeMessage == null || command.isEmpty()) {
            return null;
        }
        String lower = runtimeMessage.toLowerCase(Locale.ROOT);
        if (!lower.contains(command.toLowerCase(Locale.ROOT))) {
            return null;
        }
        Matcher crun = CRUN_NOT_FOUND.matcher(runtimeMessage);
        if (crun.find()) {
            return new StartRefusal(127, wrap("exec: \"" + crun.group(1) + "\": executable file not found in $PATH"));
        }
        if (lower.contains("executable file not found") || lower.contains("no such file or directory")) {
            return new StartRefusal(127, wrap("exec: \"" + command + "\": " + detail(runtimeMessage)));
        }
        if (lower.contains("permission denied")) {
            return new StartRefusal(126, wrap("exec: \"" + command + "\": permission denied"));
        }
        return null;
    }

    /** What the runtime said after the agent's prefixes ("agent StartContainer: INTERNAL: crun run ID failed (status 1): "). */
    private static String detail(String runtimeMessage) {
        int colon = runtimeMessage.lastIndexOf("): ");
        String tail = colon < 0 ? runtimeMessage : runtimeMessage.substring(colon + 3);
        return tail.toLowerCase(Locale.ROOT).contains("no such file or directory") ? "no such file or directory" : tail;
    }

    /** dockerd 20.10's frame around the runtime's words (runc's there), which scripts and the CLI match on. */
    private static String wrap(String what) {
        return "failed to create shim task: OCI runtime create failed: crun create failed: unable to start container process: "
                + what + ": unknown";
    }
}
