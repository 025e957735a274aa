package dev.skiff.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the host's programs (mkfs.ext4, qemu-system-x86_64, setsid, the docker CLI...) where the
 * distribution puts them: each folder of PATH, then /usr/sbin, /sbin, /usr/bin and /bin. A plain
 * user's PATH on Debian has no sbin folder, yet mkfs.ext4 (e2fsprogs) lives in /sbin and works
 * unprivileged on a file the user owns; looking only at PATH made Skiff call installed tools
 * missing. The launcher's {@code find_tool} searches the same folders in the same order.
 */
public final class HostTools {
    private HostTools() {}

    /** Where Debian and most distributions install programs, searched after PATH. */
    public static final List<String> SYSTEM_DIRS = List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin");

    /** The program {@code name}, from PATH or {@link #SYSTEM_DIRS}, if it is there and executable. */
    public static Optional<Path> find(String name) {
        return find(name, System.getenv("PATH"), SYSTEM_DIRS);
    }

    /**
     * The program or an error that names it, the folders searched and the Debian package to install,
     * e.g. {@code require("mkfs.ext4", "e2fsprogs")}.
     */
    public static Path require(String name, String debianPackage) throws IOException {
        return find(name).orElseThrow(() -> new IOException(missing(name, debianPackage)));
    }

    /** The message {@link #require} throws: what is missing, where it was looked for, what to do. */
    public static String missing(String name, String debianPackage) {
        return name + " is not installed (looked in PATH and " + String.join(", ", SYSTEM_DIRS)
                + "): install the Debian package " + debianPackage + " (as root: apt-get install -y "
                + debianPackage + ")";
    }

    /** The search itself: {@code path} (a PATH value, may be null) first, then {@code systemDirs}. */
    static Optional<Path> find(String name, String path, List<String> systemDirs) {
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("a program's name, not a path: " + name);
        }
        List<String> dirs = new ArrayList<>();
        if (path != null) {
            for (String dir : path.split(":")) {
                // an empty entry means the current folder in a shell; a daemon's current folder is no place for tools
                if (dir.startsWith("/")) {
                    dirs.add(dir);
                }
            }
        }
        dirs.addAll(systemDirs);
        for (String dir : dirs) {
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
