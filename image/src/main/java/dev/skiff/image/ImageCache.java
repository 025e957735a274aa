package dev.skiff.image;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where downloads and built images are kept between runs: {@code $SKIFF_CACHE}, else
 * /var/cache/skiff for root, else {@code $XDG_CACHE_HOME/skiff} (~/.cache/skiff).
 */
public final class ImageCache {
    private ImageCache() {}

    public static Path root() {
        String env = System.getenv("SKIFF_CACHE");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        if ("root".equals(System.getProperty("user.name")) || Files.isWritable(Path.of("/var/cache/skiff"))) {
            return Path.of("/var/cache/skiff");
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("skiff");
    }
}
