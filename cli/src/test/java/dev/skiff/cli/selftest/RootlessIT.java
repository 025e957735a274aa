package dev.skiff.cli.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.skiff.image.AgentProgram;
import dev.skiff.image.BusyboxRootfs;
import dev.skiff.image.GuestImageBuilder;
import dev.skiff.image.ImageCache;
import dev.skiff.sys.HostTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The README's main job, {@code ./skiff run --rm -v "$PWD:/work" busybox ...}, as a plain user: an
 * unprivileged system user ({@value #USER}, made by the test if missing) with a fresh home under
 * /tmp, through {@code runuser} with a clean environment whose PATH has no sbin folder, as a user's
 * shell on Debian has. mkfs.ext4 (e2fsprogs) lives in /sbin, so this fails if the launcher or the
 * daemon look for host tools on PATH alone; it also needs the user's own run, data and cache
 * folders (no /run/skiff, /var/lib/skiff, nor a writable /var/cache/skiff).
 *
 * <p>CI runs as root; the test prepares, as root, what a user of the same machine would find: the
 * guest image and busybox-static in root's cache, /var/cache/skiff, which the user reads and never
 * writes. The launcher is run where the build left it when the user can read it there; otherwise
 * (a clone under a private folder) the launcher and the built jars are copied into the user's home
 * first, and the test says so.
 */
class RootlessIT {
    static final String USER = "skiff-rootless-it";
    /** A user's PATH on Debian (/etc/profile): no /usr/sbin, no /sbin. */
    static final String USER_PATH = "/usr/local/bin:/usr/bin:/bin";
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);

    private Path home;

    record Result(int code, String out) {}

    @Test
    void theReadmesMainJobRunsAsAPlainUserWithoutSbinOnPath() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("RootlessIT makes a user and switches to it with runuser: run it as root (CI does)");
        }
        for (String dir : USER_PATH.split(":")) {
            assertFalse(Files.exists(Path.of(dir, "mkfs.ext4")), "the test's premise: mkfs.ext4 is not on the user's PATH ("
                    + dir + " has it)");
        }
        // What root leaves for users: the guest image and busybox-static in /var/cache/skiff.
        new GuestImageBuilder(ImageCache.root(), s -> System.out.println("guest (as root): " + s)).build(AgentProgram.get());
        BusyboxRootfs.busyboxBinary(ImageCache.root(), s -> System.out.println("busybox (as root): " + s));

        ensureUser();
        stopLeftovers(userRunDir()); // a daemon of a run that died: no process of the user may be left for usermod
        home = Files.createTempDirectory(Path.of("/tmp"), "skiff-rootless-home");
        ok(List.of(tool("usermod"), "-d", home.toString(), USER)); // Java's user.home comes from the passwd entry
        Path work = Files.createDirectory(home.resolve("work"));
        Files.writeString(work.resolve("from-host.txt"), "the host's\n");
        ok(List.of("chown", "-R", USER + ":", home.toString()));

        Path launcher = launcherFor(home);
        List<String> cmd = new ArrayList<>(List.of(tool("runuser"), "-u", USER, "--", "env", "-i", "PATH=" + USER_PATH,
                "HOME=" + home, "USER=" + USER, "LOGNAME=" + USER, "LANG=C.UTF-8",
                "JAVA_HOME=" + System.getProperty("java.home"),
                launcher.toString(), "run", "--rm", "-v", work + ":/work", "busybox",
                "sh", "-c", "echo written by a rootless container > /work/from-container.txt && ls /work && id -u"));
        long t0 = System.nanoTime();
        Result r = run(cmd, work, RUN_TIMEOUT);
        System.out.printf("rootless skiff run: exit %d in %.1f s%n%s%n", r.code(), (System.nanoTime() - t0) / 1e9, r.out());
        assertEquals(0, r.code(), "skiff run as " + USER + " failed:\n" + r.out() + "\ndaemon log:\n" + daemonLog());
        assertTrue(r.out().contains("from-host.txt"), "the container lists the host's file:\n" + r.out());
        assertTrue(r.out().contains("from-container.txt"), "the container lists its own file:\n" + r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.strip().equals("0")), "root inside the container:\n" + r.out());

        Path written = work.resolve("from-container.txt");
        assertEquals("written by a rootless container\n", Files.readString(written));
        // the user's 9P server wrote it, and an unprivileged server cannot give files away
        assertEquals(USER, Files.getOwner(written, LinkOption.NOFOLLOW_LINKS).getName(), "owner of " + written);
        String log = daemonLog();
        assertTrue(log.contains("data " + home.resolve(".local/share/skiff")), "the user's data folder:\n" + log);
        System.out.println("the user's guest image: " + log.lines().filter(l -> l.contains("guest image: image for these")
                || l.contains("guest image: building")).findFirst().orElse("(not in the log)"));
        // root's packages were reused where they are: the user downloaded none (and needed no network)
        Path ownDebs = home.resolve(".cache/skiff/debs");
        if (Files.isDirectory(ownDebs)) {
            try (Stream<Path> debs = Files.list(ownDebs)) {
                assertEquals(List.of(), debs.filter(d -> d.toString().endsWith(".deb")).toList(), "downloaded again");
            }
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        stopLeftovers(userRunDir());
        if (home != null) {
            deleteTree(home);
        }
    }

    /** The user's run folder with no XDG_RUNTIME_DIR, as RunDirs makes it: where the daemon's pid and the VMs' records are. */
    static Path userRunDir() {
        return Path.of("/tmp", "skiff-" + USER);
    }

    static void ensureUser() throws Exception {
        if (run(List.of("id", "-u", USER), null, Duration.ofSeconds(30)).code() != 0) {
            // a system user: no login, no mail spool; its home is set per run (usermod -d above)
            ok(List.of(tool("useradd"), "-r", "-M", "-s", "/usr/sbin/nologin", USER));
        }
    }

    /**
     * The launcher to run: the build's own, when the user can read it and the jars where they are;
     * else a copy of the launcher and {@code cli/target/skiff.jar} and {@code cli/target/lib} in
     * {@code home}, which is all the launcher needs once built.
     */
    static Path launcherFor(Path home) throws Exception {
        Path root = Path.of(System.getProperty("skiff.root", ".")).toAbsolutePath().normalize();
        Path launcher = root.resolve("skiff");
        Path jar = root.resolve("cli/target/skiff.jar");
        assertTrue(Files.isRegularFile(jar), "no " + jar + ": the VM phase runs after package");
        String check = "test -x \"$1\" && test -r \"$2\" && for f in \"$3\"/*; do test -r \"$f\" || exit 1; done";
        if (run(List.of(tool("runuser"), "-u", USER, "--", "sh", "-c", check, "sh", launcher.toString(), jar.toString(),
                root.resolve("cli/target/lib").toString()), null, Duration.ofSeconds(30)).code() == 0) {
            return launcher;
        }
        Path copy = home.resolve("skiff-copy");
        System.out.println("RootlessIT: " + USER + " cannot read the build under " + root
                + "; running a copy of the launcher and the jars in " + copy);
        Files.createDirectories(copy.resolve("cli/target/lib"));
        Files.copy(launcher, copy.resolve("skiff"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(jar, copy.resolve("cli/target/skiff.jar"));
        try (Stream<Path> libs = Files.list(root.resolve("cli/target/lib"))) {
            for (Path lib : libs.toList()) {
                Files.copy(lib, copy.resolve("cli/target/lib").resolve(lib.getFileName()));
            }
        }
        ok(List.of("chown", "-R", USER + ":", copy.toString()));
        return copy.resolve("skiff");
    }

    /**
     * Stops the user's daemon and its VMs, which `skiff run` leaves running, from this run or a
     * crashed earlier one: only processes of {@value #USER}, named by the run folder's records.
     */
    static void stopLeftovers(Path run) throws Exception {
        if (!Files.isDirectory(run, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Long> pids = new ArrayList<>();
        Path daemonPid = run.resolve("daemon.pid");
        if (Files.exists(daemonPid)) {
            pids.add(Long.parseLong(Files.readString(daemonPid).strip()));
        }
        Path vms = run.resolve("vm");
        if (Files.isDirectory(vms)) {
            try (Stream<Path> dirs = Files.list(vms)) {
                for (Path d : dirs.toList()) {
                    Path record = d.resolve("vm.properties");
                    if (Files.exists(record)) {
                        Properties props = new Properties();
                        try (var in = Files.newInputStream(record)) {
                            props.load(in);
                        }
                        String pid = props.getProperty("qemu.pid");
                        if (pid != null) {
                            pids.add(Long.parseLong(pid.strip()));
                        }
                    }
                }
            }
        }
        for (long pid : pids) {
            ProcessHandle.of(pid).filter(p -> p.info().user().orElse("").equals(USER)).ifPresent(p -> {
                p.destroy();
                try {
                    p.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            });
        }
        deleteTree(run);
    }

    String daemonLog() {
        try {
            return Files.readString(userRunDir().resolve("logs/daemon.log"));
        } catch (IOException e) {
            return "(none: " + e + ")";
        }
    }

    /** runuser (util-linux), useradd and usermod (passwd) live in /usr/sbin: found as Skiff finds its tools. */
    static String tool(String name) throws IOException {
        return HostTools.require(name, name.equals("runuser") ? "util-linux" : "passwd").toString();
    }

    static void ok(List<String> cmd) throws Exception {
        Result r = run(cmd, null, Duration.ofMinutes(1));
        assertEquals(0, r.code(), String.join(" ", cmd) + " failed:\n" + r.out());
    }

    static Result run(List<String> cmd, Path dir, Duration timeout) throws Exception {
        Path out = Files.createTempFile("skiff-rootless-it", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                return new Result(-1, "(timed out after " + timeout + ")\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
