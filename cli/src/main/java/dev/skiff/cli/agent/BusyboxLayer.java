package dev.skiff.cli.agent;

import dev.skiff.erofs.LayerConverter;
import dev.skiff.image.BusyboxRootfs;
import dev.skiff.image.ImageCache;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A read-only EROFS layer disk holding the busybox rootfs, written by Skiff's own layer writer
 * and cached beside the guest images (the same busybox-static gives the same bytes).
 */
public final class BusyboxLayer {
    private BusyboxLayer() {}

    public static Path get(PrintStream progress) throws IOException {
        Path cache = ImageCache.root();
        Path busybox = BusyboxRootfs.busyboxBinary(cache, s -> progress.println("layer: " + s));
        Path dir = Files.createDirectories(cache.resolve("layers"));
        // The unpacked package's folder name carries its version: one layer per busybox version.
        Path layer = dir.resolve("busybox-" + busybox.getParent().getParent().getFileName() + ".erofs");
        if (Files.exists(layer)) {
            return layer;
        }
        Path tar = dir.resolve("busybox." + ProcessHandle.current().pid() + ".tar");
        Path partial = dir.resolve(layer.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tar))) {
                BusyboxRootfs.writeTar(busybox, out);
            }
            LayerConverter.convert(tar, partial);
            Files.move(partial, layer, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            progress.println("layer: busybox rootfs written to " + layer);
            return layer;
        } finally {
            Files.deleteIfExists(tar);
            Files.deleteIfExists(partial);
        }
    }
}
