package dev.skiff.image.jre;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs jlink (from the JDK running Skiff) to make a trimmed runtime, then dumps a CDS archive for
 * it. The archive matters under TCG: without it the JVM spends seconds loading classes one by one.
 */
public final class JavaRuntime {
    private JavaRuntime() {}

    /** The boot class list, checked in so that the CDS archive, and so the image, is reproducible. */
    static final String CLASSLIST = "guest.classlist";

    /**
     * Links a runtime of {@code modules} into {@code output} and dumps its CDS archive from the
     * guest's boot class list, which covers the foreign-function and method-handle classes that
     * the default archive lacks: those cost seconds to load and spin under emulation.
     */
    public static void link(List<String> modules, Path output) throws IOException {
        Path home = Path.of(System.getProperty("java.home"));
        Path jlink = home.resolve("bin/jlink");
        if (!Files.isExecutable(jlink)) {
            throw new IOException("jlink is not available in " + home
                    + ": run Skiff with a full JDK 25 (for example /usr/lib/jvm/temurin-25-jdk-amd64)");
        }
        run("jlink", List.of(jlink.toString(), "--add-modules", String.join(",", modules), "--strip-debug",
                "--no-man-pages", "--no-header-files", "--output", output.toString()));
        Path classlist = output.resolve("lib/skiff-boot.classlist");
        try (var in = JavaRuntime.class.getResourceAsStream(CLASSLIST)) {
            if (in == null) {
                throw new IOException("the image builder lacks its resource " + CLASSLIST);
            }
            Files.copy(in, classlist);
        }
        // The archive goes where -Xshare:auto looks by default, so the guest needs no flag for it.
        run("CDS dump", List.of(output.resolve("bin/java").toString(), "-Xshare:dump", "-XX:+UseSerialGC",
                "-XX:SharedClassListFile=" + classlist, "-XX:SharedArchiveFile=" + output.resolve("lib/server/classes.jsa")));
        Files.delete(classlist);
    }

    /** Runs a JDK tool, keeping its chatter out of our output unless it fails. */
    private static void run(String what, List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(what + " failed (exit " + p.exitValue() + "): " + log.strip());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + what, e);
        }
    }

    /** The JDK's identity, part of the image's input hash: its release file names version and build. */
    public static String jdkIdentity() throws IOException {
        Path release = Path.of(System.getProperty("java.home"), "release");
        return Files.exists(release) ? Files.readString(release) : System.getProperty("java.runtime.version");
    }
}
