package dev.skiff.agent.network;

import java.io.IOException;
import java.util.List;

/**
 * Runs one program to its end. An interface so that the network code's steps can be checked
 * without a VM: the tests record the argument vectors and rule scripts instead of running them.
 */
interface CommandRunner {
    /**
     * Runs {@code argv} (argv[0] an absolute path; no shell, no PATH search) with {@code stdin} as
     * its standard input (null: /dev/null).
     *
     * @return what it wrote to stdout and stderr
     * @throws Failed if it exits other than with 0, holding its output
     * @throws IOException if it cannot be started or does not finish in time
     */
    String run(List<String> argv, String stdin) throws IOException;

    /**
     * Runs {@code commands} in order and stops at the first that fails (as {@link #run}, without
     * stdin). This default runs each on its own; the guest's runner makes one process of them all.
     */
    default void runAll(List<List<String>> commands) throws IOException {
        for (List<String> argv : commands) {
            run(argv, null);
        }
    }

    /** A command that ran and failed; the message names it and quotes what it printed. */
    final class Failed extends IOException {
        private final String output;

        Failed(List<String> argv, String status, String output) {
            super(String.join(" ", argv) + " failed (" + status + ")" + (output.isBlank() ? "" : ": " + output.strip()));
            this.output = output;
        }

        String output() {
            return output;
        }
    }
}
