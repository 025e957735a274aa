package dev.skiff.agent.container;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Every process in the guest with its state and where the kernel has it waiting, for diagnosis. */
final class ProcessTable {
    private ProcessTable() {}

    static String describe() {
        StringBuilder out = new StringBuilder();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
                String stat = read(p.resolve("stat"));
                int close = stat.lastIndexOf(')');
                String state = close > 0 && close + 2 < stat.length() ? stat.substring(close + 2, close + 3) : "?";
                out.append(String.format("  %6s %-16s %s wchan=%s%n", p.getFileName(), read(p.resolve("comm")), state,
                        read(p.resolve("wchan"))));
            }
        } catch (IOException e) {
            out.append("  (cannot list /proc: ").append(e.getMessage()).append(")\n");
        }
        return out.toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            return "?";
        }
    }
}
