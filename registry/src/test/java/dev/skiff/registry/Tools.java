package dev.skiff.registry;

import dev.skiff.sys.HostTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** The host tools the registry tests drive; a missing one fails the test with the package to install. */
final class Tools {
    private Tools() {
    }

    /** Fails (never skips): CI installs these through the launcher ({@code skiff test}). */
    static String require(String command, String debianPackage) {
        return HostTools.find(command).orElseGet(() -> fail(HostTools.missing(command, debianPackage)
                + ": the registry tests need it; ./skiff test installs it")).toString();
    }

    /** Runs a command to its end; its output, or a failed test naming the command and what it printed. */
    static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            fail(String.join(" ", command) + " exited with " + rc + ":\n" + out);
        }
        return out;
    }

    static List<String> cmd(String... parts) {
        return new ArrayList<>(List.of(parts));
    }
}
