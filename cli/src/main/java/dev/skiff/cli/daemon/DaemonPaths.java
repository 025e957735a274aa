package dev.skiff.cli.daemon;

import dev.skiff.vm.RunDirs;
import java.nio.file.Path;

/**
 * Where the daemon keeps things. As root: the socket at /run/skiff/docker.sock and data under
 * /var/lib/skiff; otherwise under $XDG_RUNTIME_DIR/skiff (/tmp/skiff-USER without it) and
 * $XDG_DATA_HOME/skiff (~/.local/share/skiff). SKIFF_RUN and
 * SKIFF_DATA override (tests use them to run a daemon of their own). The configuration file is
 * /etc/skiff/daemon.json as root, else $XDG_CONFIG_HOME/skiff/daemon.json; SKIFF_CONFIG overrides.
 */
public final class DaemonPaths {
    private DaemonPaths() {}

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The VMs' run folder ({@link RunDirs#base()}): the socket and the daemon's log sit beside their sockets. */
    public static Path runDir() {
        return RunDirs.base();
    }

    public static Path socket() {
        return runDir().resolve("docker.sock");
    }

    public static Path dataRoot() {
        String env = System.getenv("SKIFF_DATA");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        if (root()) {
            return Path.of("/var/lib/skiff");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        return xdg != null && !xdg.isEmpty() ? Path.of(xdg, "skiff") : Path.of(System.getProperty("user.home"), ".local/share/skiff");
    }

    /** daemon.json, dockerd's configuration file under Skiff's name; it need not exist. */
    public static Path configFile() {
        String env = System.getenv("SKIFF_CONFIG");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        if (root()) {
            return Path.of("/etc/skiff/daemon.json");
        }
        String xdg = System.getenv("XDG_CONFIG_HOME");
        return (xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config"))
                .resolve("skiff/daemon.json");
    }

    public static Path log() {
        return runDir().resolve("logs/daemon.log");
    }
}
