package dev.skiff.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCacheTest {
    @TempDir
    Path tmp;

    @Test
    void aUserReadsRootsCacheAfterTheirOwn() throws Exception {
        Path system = Files.createDirectories(tmp.resolve("var-cache-skiff"));
        Path own = tmp.resolve("home/.cache/skiff");
        assertEquals(List.of(system), ImageCache.shared(own, system));
    }

    @Test
    void rootOrAMissingSystemCacheHasNothingShared() {
        Path system = tmp.resolve("var-cache-skiff");
        assertEquals(List.of(), ImageCache.shared(tmp.resolve("own"), system), "no system cache");
        assertEquals(List.of(), ImageCache.shared(system, system), "root's own cache is not shared with itself");
    }
}
