package dev.skiff.image.jre;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs jlink (in process, from the JDK running Skiff) to make a trimmed runtime with a CDS
 * archive. The archive matters under TCG: without it the JVM spends seconds loading java.base
 * classes one by one. Only the compressed-oops archive is kept; the guest heap is small.
 */
public final class JavaRuntime {
    private JavaRuntime() {}

    public static void link(List<String> modules, Path output) throws IOException {
        // A child process, not the in-process ToolProvider: the CDS dump jlink runs writes its
        // warnings straight to our stdout otherwise.
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        if (!Files.isExecutable(jlink)) {
            throw new IOException("jlink is not available in " + System.getProperty("java.home")
                    + ": run Skiff with a full JDK 25 (for example /usr/lib/jvm/temurin-25-jdk-amd64)");
        }
        List<String> args = new ArrayList<>(List.of(jlink.toString(), "--add-modules", String.join(",", modules),
                "--strip-debug", "--no-man-pages", "--no-header-files", "--generate-cds-archive",
                "--output", output.toString()));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int rc;
        try {
            rc = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running jlink", e);
        }
        if (rc != 0 || !Files.isExecutable(output.resolve("bin/java"))) {
            throw new IOException("jlink failed (exit " + rc + "): " + log.strip());
        }
        Files.deleteIfExists(output.resolve("lib/server/classes_nocoops.jsa"));
    }

    /** The JDK's identity, part of the image's input hash: its release file names version and build. */
    public static String jdkIdentity() throws IOException {
        Path release = Path.of(System.getProperty("java.home"), "release");
        return Files.exists(release) ? Files.readString(release) : System.getProperty("java.runtime.version");
    }
}
