package dev.skiff.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where downloads and built images are kept between runs: {@code $SKIFF_CACHE}, else
 * /var/cache/skiff for root, else {@code $XDG_CACHE_HOME/skiff} (~/.cache/skiff). A plain user
 * also reads root's /var/cache/skiff ({@link #shared()}), never writing there.
 */
public final class ImageCache {
    private ImageCache() {}

    /** Root's cache, which a plain user can read but not write. */
    static final Path SYSTEM = Path.of("/var/cache/skiff");

    /** The cache this process writes to. */
    public static Path root() {
        String env = System.getenv("SKIFF_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        if ("root".equals(System.getProperty("user.name")) || Files.isWritable(SYSTEM)) {
            return SYSTEM;
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("skiff");
    }

    /**
     * Caches to look in after {@link #root()}, read-only: root's /var/cache/skiff, for a user whose
     * cache is the default one under their home (not $SKIFF_CACHE, which asks for that cache alone)
     * when root's is there to read. The user then reuses the .debs root downloaded, their unpacked
     * trees and the guest images root built for the same inputs, instead of downloading and
     * building them again.
     */
    public static List<Path> shared() {
        String env = System.getenv("SKIFF_CACHE");
        if (env != null && !env.isBlank()) {
            return List.of();
        }
        return shared(root(), SYSTEM);
    }

    static List<Path> shared(Path own, Path system) {
        if (own.equals(system) || !Files.isDirectory(system) || !Files.isReadable(system)
                || !Files.isExecutable(system)) {
            return List.of();
        }
        return List.of(system);
    }
}
