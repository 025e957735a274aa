package dev.skiff.agent.container;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's root file system: its read-only layers under overlayfs, with the upper and work
 * directories on the scratch disk (or in guest memory when the host gave none). Overlayfs turns
 * the layers' whiteouts (character devices 0/0) and opaque markers into what the container sees.
 */
final class Rootfs {
    private Rootfs() {}

    /**
     * Mounts the overlay on {@code target}.
     *
     * @param layers guest paths of the layers, lowest first
     * @param upperBase a fresh folder for this container's upper and work directories
     */
    static void mount(Path target, List<String> layers, Path upperBase) throws IOException {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a container needs at least one layer");
        }
        Path upper = upperBase.resolve("upper");
        Path work = upperBase.resolve("work");
        Files.createDirectories(upper);
        Files.createDirectories(work);
        Files.createDirectories(target);
        List<String> lower = new ArrayList<>(layers);
        java.util.Collections.reverse(lower); // overlayfs lists the top layer first
        for (String l : lower) {
            if (l.contains(":") || l.contains(",")) {
                throw new IllegalArgumentException("layer path cannot be given to overlayfs: " + l);
            }
        }
        String options = "lowerdir=" + String.join(":", lower) + ",upperdir=" + upper + ",workdir=" + work;
        Mounts.mount("overlay", target.toString(), "overlay", 0, options);
    }

    /** Unmounts it (lazily: a process that still holds a file in it keeps it until it lets go). */
    static void unmount(Path target) throws ErrnoException {
        Mounts.unmount(target.toString(), Mounts.MNT_DETACH);
    }
}
