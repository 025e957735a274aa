package dev.skiff.guest.boot;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Modules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads kernel modules from a list, in order. The list is the image builder's; no modprobe here. */
final class ModuleLoader {
    private ModuleLoader() {}

    /** @return how many modules were newly loaded */
    static int loadAll(Path root, Path list) throws IOException {
        if (!Files.exists(list)) {
            return 0;
        }
        int loaded = 0;
        for (String line : Files.readAllLines(list)) {
            String rel = line.strip();
            if (rel.isEmpty() || rel.startsWith("#")) {
                continue;
            }
            Path ko = root.resolve(rel);
            try {
                if (Modules.load(ko.getFileName().toString(), Files.readAllBytes(ko), "")) {
                    loaded++;
                }
            } catch (ErrnoException e) {
                throw new IOException("failed to load kernel module " + rel + ": " + e.getMessage(), e);
            }
        }
        return loaded;
    }
}
