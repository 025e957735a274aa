package dev.skiff.cli.docker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A docker image made from Debian packages, for tests that run real apps without a registry:
 * debootstrap into a folder cached outside the clone, then {@code docker import} through a test's
 * daemon. Building takes minutes (downloads, then every package's configure step), so the tree is
 * cached under {@code /var/cache/skiff/apps/<hash of the recipe>/} and reused by every later run.
 *
 * <p>debootstrap runs in two stages with {@code policy-rc.d} in between: {@code --include}d
 * packages are configured in the second stage, and their maintainer scripts (postgresql's,
 * mariadb's, rabbitmq's) would otherwise start their daemons inside the chroot, on the host.
 */
final class DebianImage {
    static final String SUITE = "bookworm";
    static final String MIRROR = "http://deb.debian.org/debian";
    /** Bumped when the recipe below changes in a way the package list does not show. */
    private static final int RECIPE = 1;

    private final String name;
    private final List<String> packages;
    private final List<String> prune;

    /**
     * @param prune paths in the tree (shell globs) removed after the build, which the tests do not
     *     need: the packages' default databases, say; docs, man pages, locales and .debs always go
     */
    DebianImage(String name, List<String> packages, List<String> prune) {
        this.name = name;
        this.packages = List.copyOf(packages);
        this.prune = List.copyOf(prune);
    }

    String name() {
        return name;
    }

    /** The cache's root: $SKIFF_CACHE as the launcher uses it, else /var/cache/skiff. */
    static Path cacheRoot() {
        String env = System.getenv("SKIFF_CACHE");
        return Path.of(env != null && !env.isBlank() ? env : "/var/cache/skiff", "apps");
    }

    String hash() throws Exception {
        String recipe = RECIPE + "\n" + SUITE + "\n" + MIRROR + "\n" + String.join(",", packages) + "\n"
                + String.join(",", prune);
        byte[] d = MessageDigest.getInstance("SHA-256").digest(recipe.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d, 0, 8);
    }

    /**
     * The finished root folder, built first if the cache lacks it. A file lock keeps two test JVMs
     * from building it at once (the second waits, then finds it); the build goes to a temporary
     * folder renamed into place only when complete, so an interrupted build is never reused.
     */
    Path tree() throws Exception {
        Path cache = cacheRoot();
        Files.createDirectories(cache);
        String hash = hash();
        Path done = cache.resolve(hash);
        if (Files.isDirectory(done.resolve("usr"))) {
            return done;
        }
        try (FileChannel lockFile = FileChannel.open(cache.resolve(hash + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            lockFile.lock(); // held until the channel closes; a JVM that dies releases it with its descriptors
            if (Files.isDirectory(done.resolve("usr"))) {
                return done; // another JVM built it while this one waited for the lock
            }
            Path tmp = cache.resolve(hash + ".partial");
            removeTree(tmp); // left by an interrupted build: we hold the lock, so nobody is writing it
            Path log = cache.resolve(hash + ".log");
            long t0 = System.nanoTime();
            progress("building image " + name + " from Debian packages (" + String.join(" ", packages)
                    + ") with debootstrap into " + done + "; this takes minutes on a cold cache, log: " + log);
            run(log, 1800, "debootstrap", "--foreign", "--variant=minbase", "--include=" + String.join(",", packages),
                    SUITE, tmp.toString(), MIRROR);
            progress(name + ": packages downloaded and unpacked in " + secondsSince(t0) + " s; configuring them");
            Path policy = tmp.resolve("usr/sbin/policy-rc.d");
            Files.writeString(policy, "#!/bin/sh\n# no service starts while the image is built\nexit 101\n");
            policy.toFile().setExecutable(true);
            try {
                run(log, 1800, "chroot", tmp.toString(), "/debootstrap/debootstrap", "--second-stage");
            } finally {
                unmountBelow(tmp); // the second stage mounts /proc in the chroot; an error can leave it there
            }
            // the downloaded .debs, apt's lists, docs and locales are a third of the tree and nothing a test needs
            List<String> gone = new ArrayList<>(List.of("var/cache/apt/archives/*.deb", "var/lib/apt/lists/*",
                    "usr/share/doc/*", "usr/share/man/*", "usr/share/locale/*", "usr/share/info/*"));
            gone.addAll(prune);
            run(log, 300, "sh", "-c", "cd '" + tmp + "' && rm -rf " + String.join(" ", gone));
            Files.move(tmp, done);
            progress(name + ": built in " + secondsSince(t0) + " s");
            return done;
        }
    }

    /** Builds (or finds) the tree and imports it into the daemon as {@link #name()}. */
    void importInto(DaemonProcess daemon) throws Exception {
        Path tree = tree();
        long t0 = System.nanoTime();
        // /dev is runc's tmpfs in every container; the image's device nodes would only be hidden
        String cmd = "tar -C '" + tree + "' --numeric-owner --exclude=./dev/* -c . | docker import - " + name;
        DaemonProcess.Result r = daemon.client(List.of("sh", "-c", cmd), null);
        if (r.code() != 0) {
            throw new AssertionError("docker import of " + name + " failed: " + r.err() + "\n" + daemon.logTail());
        }
        progress(name + ": imported in " + secondsSince(t0) + " s");
    }

    static void progress(String line) {
        System.err.println("[DebianImage] " + line);
    }

    private static long secondsSince(long t0) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
    }

    private static void run(Path log, int seconds, String... cmd) throws IOException, InterruptedException {
        Files.writeString(log, "\n$ " + String.join(" ", cmd) + "\n", StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new IOException(cmd[0] + " did not finish in " + seconds + " s; log: " + log + "\n" + tail(log));
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "); log: " + log + "\n"
                    + tail(log));
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** Unmounts whatever is mounted at or below dir, deepest first. */
    private static void unmountBelow(Path dir) throws IOException, InterruptedException {
        List<String> mounted = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
            String point = line.split(" ")[1];
            if (point.equals(dir.toString()) || point.startsWith(dir + "/")) {
                mounted.add(point);
            }
        }
        mounted.sort((a, b) -> b.length() - a.length());
        for (String point : mounted) {
            new ProcessBuilder("umount", "-l", point).inheritIO().start().waitFor();
        }
    }

    private static void removeTree(Path dir) throws IOException, InterruptedException {
        if (Files.exists(dir)) {
            unmountBelow(dir);
            // --one-file-system: never follow a mount that could not be undone into the host's /proc
            new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).inheritIO().start().waitFor();
        }
    }
}
