package dev.skiff.cli.docker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the tests of apps with their data on a bind mount share: the images (from Debian's packages,
 * built with debootstrap once and cached outside the clone, imported per daemon), a host folder per
 * app and mode, and docker run of a shell script with it on /data. The apps run in the shared VM and
 * in a VM of their own, both unless -Dskiff.apps.isolation names one.
 */
abstract class AppsOnBindMounts extends DaemonIT {
    /**
     * One image for every app here, so one build and one import: the databases, RabbitMQ with
     * pika for a tiny publisher, and WordPress's stack with curl to fetch its pages (and php-xml, which
     * Debian's wordpress does not pull in but its XML-RPC needs). The default
     * clusters the packages' scripts make are dropped: every test makes its own on /data.
     */
    static final DebianImage APPS = new DebianImage("skiff-apps", List.of("postgresql", "sqlite3", "mariadb-server",
            "rabbitmq-server", "python3-pika", "apache2", "libapache2-mod-php", "php-mysql", "php-xml", "wordpress",
            "curl", "procps"), List.of("var/lib/mysql/*", "var/lib/postgresql/15/main"));

    private final List<Path> folders = new ArrayList<>();

    /**
     * The modes each app runs in: both unless -Dskiff.apps.isolation names one (a run with less
     * time: every app in a dedicated VM costs about a VM boot per container under TCG).
     */
    static List<String> isolations() {
        return List.of(System.getProperty("skiff.apps.isolation", "default,hyperv").split(","));
    }

    @BeforeAll
    static void importImage() throws Exception {
        // The apps alternate between the shared VM and dedicated ones, minutes each: the shared VM
        // waits through a dedicated run instead of idling out and booting again (half a minute under TCG)
        daemon.stop();
        daemon.idleSeconds = 1800;
        daemon.start();
        APPS.importInto(daemon);
    }

    /** The images are 1.3 GB of layer disks in the daemon's folder, which outlives the test under /tmp. */
    @AfterAll
    static void removeImages() throws Exception {
        if (daemon != null) {
            for (String id : ok("ps", "-aq").out().split("\\s+")) {
                if (!id.isBlank()) {
                    docker("rm", "-f", id);
                }
            }
            docker("rmi", APPS.name());
            docker("rmi", MAVEN.name());
        }
    }

    /** A new host folder for an app's data, bind-mounted at /data; removed after the test. */
    Path dataFolder(String app, String isolation) throws Exception {
        Path dir = Files.createTempDirectory(base, app + "-" + isolation + "-");
        folders.add(dir);
        return dir;
    }

    @AfterEach
    void removeContainersAndFolders() throws Exception {
        // a failed test leaves its containers running: they go before the folders they use
        for (String id : ok("ps", "-aq").out().split("\\s+")) {
            if (!id.isBlank()) {
                docker("rm", "-f", id);
            }
        }
        for (String net : ok("network", "ls", "-q", "--filter", "name=wp-net-").out().split("\\s+")) {
            if (!net.isBlank()) {
                docker("network", "rm", net);
            }
        }
        for (Path dir : folders) {
            // files the apps made belong to their users (postgres, mysql...); root removes them all
            new ProcessBuilder("rm", "-rf", dir.toString()).inheritIO().start().waitFor();
        }
        folders.clear();
    }

    /** docker run --rm with the folder on /data, a shell script as the command; its output, or a failure with it. */
    static String run(String isolation, Path data, String script, String... options) throws Exception {
        DaemonProcess.Result r = runAllowingFailure(isolation, data, script, options);
        if (r.code() != 0) {
            throw new AssertionError("the container failed (" + r.code() + "):\n" + r.out() + r.err()
                    + "\ndaemon log:\n" + daemon.logTail());
        }
        return r.out();
    }

    static DaemonProcess.Result runAllowingFailure(String isolation, Path data, String script,
            String... options) throws Exception {
        return runImage(APPS, isolation, data, script, options);
    }

    static DaemonProcess.Result runImage(DebianImage image, String isolation, Path data, String script,
            String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--isolation=" + isolation, "-v", data + ":/data"));
        args.addAll(List.of(options));
        args.addAll(List.of(image.name(), "sh", "-euc", script));
        return daemon.docker(args, null, APP_LIMIT);
    }

    /**
     * How long one app container may run: a database's set-up or a Maven build takes minutes
     * under TCG, 5 and more on a loaded CI machine (the daemon log goes with a failure).
     */
    static final java.time.Duration APP_LIMIT = java.time.Duration.ofMinutes(20);

    /**
     * Maven with the Debian-packaged plugins the tiny project in the test resources names, standing
     * in for Jenkins (which Debian does not package): a Java build's many small reads and writes.
     */
    static final DebianImage MAVEN = new DebianImage("skiff-maven", List.of("maven", "default-jdk-headless",
            "libmaven-resources-plugin-java", "libmaven-compiler-plugin-java", "libsurefire-java",
            "libmaven-jar-plugin-java", "libmaven-install-plugin-java", "junit4"), List.of());

    static String sha256(Path file) throws Exception {
        var digest = java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        return java.util.HexFormat.of().formatHex(digest);
    }
}
