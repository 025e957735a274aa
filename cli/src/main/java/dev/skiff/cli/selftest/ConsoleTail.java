package dev.skiff.cli.selftest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The last lines of a guest console log that say something, for error messages. */
public final class ConsoleTail {
    private ConsoleTail() {}

    public static String of(Path log) {
        try {
            String[] lines = Files.readString(log, StandardCharsets.ISO_8859_1).strip().split("\r?\n");
            String[] last = Arrays.stream(lines).filter(l -> l.contains("skiff-guest") || l.contains("Kernel panic")
                    || l.contains("error")).toArray(String[]::new);
            if (last.length == 0) {
                last = lines;
            }
            return String.join(" | ", Arrays.copyOfRange(last, Math.max(0, last.length - 2), last.length));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}
