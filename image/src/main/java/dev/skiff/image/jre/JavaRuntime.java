package dev.skiff.image.jre;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs jlink (from the JDK running Skiff) to make a trimmed runtime, then dumps a CDS archive of the
 * JDK's and the guest program's classes for it. The archive matters under TCG: without it the JVM
 * spends seconds loading, parsing and verifying classes one by one.
 */
public final class JavaRuntime {
    private JavaRuntime() {}

    /**
     * The boot class list (JDK and guest-program classes, lambda forms and proxies), checked in so
     * that the archive, and so the image, is reproducible: a list taken at build time from a
     * training run differs by a class or two from run to run, with thread timing.
     */
    public static final String CLASSLIST = "guest.classlist";

    /** Where the archive lives in a runtime made by {@link #link}, relative to its home. */
    public static final String ARCHIVE = "lib/skiff.jsa";

    /** Links a runtime of {@code modules} into {@code output}. */
    public static void link(List<String> modules, Path output) throws IOException {
        Path home = Path.of(System.getProperty("java.home"));
        Path jlink = home.resolve("bin/jlink");
        if (!Files.isExecutable(jlink)) {
            throw new IOException("jlink is not available in " + home
                    + ": run Skiff with a full JDK 25 (for example /usr/lib/jvm/temurin-25-jdk-amd64)");
        }
        run("jlink", List.of(jlink.toString(), "--add-modules", String.join(",", modules), "--strip-debug",
                "--no-man-pages", "--no-header-files", "--output", output.toString()));
    }

    /**
     * Dumps the runtime's CDS archive ({@link #ARCHIVE}) from the boot class list, holding the JDK
     * classes, the foreign-function and method-handle forms the default archive lacks (those cost
     * seconds to spin under emulation) and the program's own classes, parsed and verified.
     *
     * <p>The program's classes are only used when the guest's class path names jars of the same
     * names, sizes and modification times in the same layout as {@code classPath} here (the JVM
     * allows the whole folder to move): the caller stages the jars as the image will hold them.
     * Otherwise the JVM prints a "[cds]" warning and runs without the archive.
     *
     * <p>The class path is given relative to {@code root}, where the dump runs: the archive records
     * the paths as given, so absolute paths would put the build's own folder (which names its
     * process) into the image's bytes.
     *
     * @param root the folder standing for the image's root, holding the staged jars
     * @param classPath the staged jars, relative to {@code root}
     * @param jvmOptions the program's JVM options: the collector and heap size shape the archive
     */
    public static void dumpArchive(Path runtime, Path root, List<Path> classPath, List<String> jvmOptions)
            throws IOException {
        for (Path jar : classPath) {
            if (jar.isAbsolute() || !Files.isRegularFile(root.resolve(jar))) {
                throw new IllegalArgumentException("not a jar relative to " + root + ": " + jar);
            }
        }
        Path classlist = runtime.resolve("lib/skiff-boot.classlist");
        try (var in = JavaRuntime.class.getResourceAsStream(CLASSLIST)) {
            if (in == null) {
                throw new IOException("the image builder lacks its resource " + CLASSLIST);
            }
            Files.copy(in, classlist);
        }
        List<String> command = new ArrayList<>(List.of(runtime.toAbsolutePath().resolve("bin/java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Xshare:dump", "-XX:SharedClassListFile=" + classlist.toAbsolutePath(),
                "-XX:SharedArchiveFile=" + runtime.toAbsolutePath().resolve(ARCHIVE),
                "-cp", String.join(":", classPath.stream().map(Path::toString).toList())));
        run("CDS dump", command, root);
        Files.delete(classlist);
    }

    /** Runs a JDK tool, keeping its chatter out of our output unless it fails. */
    private static void run(String what, List<String> command) throws IOException {
        run(what, command, null);
    }

    private static void run(String what, List<String> command, Path directory) throws IOException {
        Process p = new ProcessBuilder(command).directory(directory == null ? null : directory.toFile())
                .redirectErrorStream(true).start();
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
