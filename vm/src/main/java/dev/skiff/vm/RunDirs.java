package dev.skiff.vm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Where VMs keep their sockets while they run (system property {@code skiff.run}, else
 * {@code $SKIFF_RUN}, else /run/skiff as root, else
 * {@code $XDG_RUNTIME_DIR/skiff}, else /tmp/skiff-USER), and their console logs, which outlive
 * them, in a {@code logs} folder beside.
 */
public final class RunDirs {
    private RunDirs() {}

    /** The kernel's sun_path holds 108 bytes including the terminating NUL. */
    static final int MAX_SOCKET_PATH = 107;

    public static Path base() {
        String prop = System.getProperty("skiff.run");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String env = System.getenv("SKIFF_RUN");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        if ("root".equals(System.getProperty("user.name"))) {
            return Path.of("/run/skiff");
        }
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "skiff");
        }
        return inSharedTmp();
    }

    /** A plain user's run folder when there is no $XDG_RUNTIME_DIR (a login shell through su or runuser has none). */
    static Path inSharedTmp() {
        return Path.of("/tmp", "skiff-" + System.getProperty("user.name"));
    }

    /**
     * {@link #base()}, made if absent. In the shared /tmp, where any user can make a folder first,
     * it is made private (rwx------) and must be this user's own real folder: otherwise whoever made
     * it would control the daemon's socket and the VMs' channels.
     */
    public static Path createBase() throws VmException {
        Path base = base();
        return create(base, base.equals(inSharedTmp()), System.getProperty("user.name"));
    }

    static Path create(Path base, boolean shared, String me) throws VmException {
        try {
            if (!shared) {
                return Files.createDirectories(base);
            }
            try {
                Files.createDirectory(base, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // made before, by this user (checked below) or not
            }
            var attrs = Files.readAttributes(base, java.nio.file.attribute.PosixFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isDirectory() || !attrs.owner().getName().equals(me)) {
                throw new VmException("run folder " + base + " is " + (attrs.isDirectory() ? "owned by " + attrs.owner().getName()
                        : "not a folder") + ", not by " + me + ": remove it, or set XDG_RUNTIME_DIR or SKIFF_RUN");
            }
            if (!attrs.permissions().equals(PosixFilePermissions.fromString("rwx------"))) {
                Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx------"));
            }
            return base;
        } catch (VmException e) {
            throw e;
        } catch (IOException e) {
            throw new VmException("failed to create the run folder " + base + ": " + e
                    + " (check free space and permissions, or set SKIFF_RUN)", e);
        }
    }

    /** A new private folder for one VM's sockets. */
    public static Path createVmDir(String vmName) throws VmException {
        String id = vmName + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Path dir = createBase().resolve("vm").resolve(id);
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new VmException("failed to create the VM's run folder " + dir + ": " + e
                    + " (check free space and permissions, or set SKIFF_RUN)", e);
        }
        if (dir.resolve("ch-" + "x".repeat(32) + ".sock").toString().length() > MAX_SOCKET_PATH) {
            throw new VmException("run folder " + dir + " is too long for unix socket paths; set SKIFF_RUN to a shorter folder");
        }
        return dir;
    }

    public static Path logDir() throws VmException {
        Path dir = createBase().resolve("logs");
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new VmException("failed to create the log folder " + dir + ": " + e, e);
        }
    }

    /** Removes a VM's run folder and the sockets in it. */
    public static void delete(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // already gone, or being removed by another cleanup
        }
    }
}
