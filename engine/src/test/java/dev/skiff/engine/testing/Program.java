package dev.skiff.engine.testing;

import java.util.List;

/**
 * What a process does in the {@link InMemoryAgent}: a script a test writes in place of a binary.
 * It runs on its own thread from the container's start; its return value is the exit code. A
 * SIGKILL ends it wherever it is (the thread is interrupted) with 137, as the kernel would; other
 * signals wait for the script to take them ({@link Process#nextSignal()}), so a script that never
 * takes them ignores them.
 */
@FunctionalInterface
public interface Program {
    int run(Process p) throws InterruptedException;

    /** The running process as its script sees it. */
    interface Process {
        List<String> args();

        void stdout(String text);

        void stderr(String text);

        /**
         * Blocks for the next bytes on stdin; null at its end: when the host closes it, or at once
         * for a process whose stdin is not open (the real agent gives it /dev/null).
         */
        byte[] stdin() throws InterruptedException;

        /** Blocks until a signal other than SIGKILL arrives, and returns it. */
        int nextSignal() throws InterruptedException;
    }

    /** Exits at once with {@code code}. */
    static Program exits(int code) {
        return p -> code;
    }

    /** Writes {@code out} to stdout, then exits with {@code code}. */
    static Program prints(String out, int code) {
        return p -> {
            p.stdout(out);
            return code;
        };
    }

    /** busybox echo: its arguments joined by spaces and a newline on stdout, then exit 0. */
    static Program echo() {
        return p -> {
            p.stdout(String.join(" ", p.args().subList(1, p.args().size())) + "\n");
            return 0;
        };
    }

    /** busybox cat without arguments: copies stdin to stdout until stdin ends, then exit 0. */
    static Program cat() {
        return p -> {
            for (byte[] in = p.stdin(); in != null; in = p.stdin()) {
                p.stdout(new String(in, java.nio.charset.StandardCharsets.UTF_8));
            }
            return 0;
        };
    }

    /** Writes {@code err} to stderr, then exits with {@code code}. */
    static Program complains(String err, int code) {
        return p -> {
            p.stderr(err);
            return code;
        };
    }

    /** Runs until signalled, then exits with {@code code} (a process that traps the signal). */
    static Program exitsOnSignal(int code) {
        return p -> {
            p.nextSignal();
            return code;
        };
    }

    /** Runs until signalled and dies of the signal, 128 + its number: the default disposition of SIGTERM. */
    static Program diesOnSignal() {
        return p -> 128 + p.nextSignal();
    }

    /** Ignores every signal it can: runs until SIGKILL. */
    static Program ignoresSignals() {
        return p -> {
            while (true) {
                p.nextSignal();
            }
        };
    }
}
