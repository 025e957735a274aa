package dev.skiff.vm.qemu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The two fields of {@code /proc/<pid>/stat} that tell whether a recorded process still runs: its
 * state (field 3) and its start time in clock ticks since boot (field 22), which differs when the
 * pid has been reused by another process. See proc_pid_stat(5); the command name (field 2) is
 * parenthesised and may itself hold spaces and parentheses, so fields are counted from the last
 * {@code ')'}.
 */
record ProcStat(char state, long startTime) {
    static final Path PROC = Path.of("/proc");

    /** The process's stat, or empty when there is no such process. */
    static Optional<ProcStat> read(long pid) throws IOException {
        return read(PROC, pid);
    }

    static Optional<ProcStat> read(Path proc, long pid) throws IOException {
        String line;
        try {
            line = Files.readString(proc.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // ESRCH ("No such process"): the process was reaped between the open and the read, as a
            // QEMU that dies at once can be; gone, like a missing file
            return Optional.empty();
        }
        return Optional.of(parse(line));
    }

    static ProcStat parse(String line) throws IOException {
        int close = line.lastIndexOf(')');
        String[] f = close < 0 ? new String[0] : line.substring(close + 1).strip().split(" +");
        // f[0] is field 3 (state), so field N is f[N - 3]
        if (f.length < 20 || f[0].length() != 1) {
            throw new IOException("cannot parse /proc stat line: " + line);
        }
        try {
            return new ProcStat(f[0].charAt(0), Long.parseLong(f[19]));
        } catch (NumberFormatException e) {
            throw new IOException("cannot parse the start time in /proc stat line: " + line, e);
        }
    }

    /** A zombie (Z) or dead (X) process has ended; only its parent's wait is missing. */
    boolean ended() {
        return state == 'Z' || state == 'X';
    }

    /** Whether {@code pid} is still the process that started at {@code startTime} and has not ended. */
    static boolean alive(long pid, long startTime) {
        try {
            return read(pid).map(s -> !s.ended() && s.startTime() == startTime).orElse(false);
        } catch (IOException e) {
            return false;
        }
    }
}
