package dev.skiff.guest.devices;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * virtio-serial ports by name. The kernel's virtio_console driver lists each port under
 * /sys/class/virtio-ports/vportNpM with a {@code name} attribute (drivers/char/virtio_console.c);
 * devtmpfs creates /dev/vportNpM.
 */
public final class VirtioPorts {
    private VirtioPorts() {}

    /** The device node of the port named {@code name}, if the kernel has it now. */
    public static Optional<Path> find(Path sys, Path dev, String name) throws IOException {
        Path dir = sys.resolve("class/virtio-ports");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> ports = Files.newDirectoryStream(dir)) {
            for (Path port : ports) {
                Path nameFile = port.resolve("name");
                if (Files.isReadable(nameFile) && Files.readString(nameFile).strip().equals(name)) {
                    Path node = dev.resolve(port.getFileName().toString());
                    if (Files.exists(node)) {
                        return Optional.of(node);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** Waits until the port named {@code name} exists (at boot, or after a hot-plug). */
    public static Path awaitPort(Path sys, Path dev, String name, Duration timeout) throws IOException {
        return SysfsWait.await(() -> find(sys, dev, name), timeout, "virtio-serial port " + name);
    }
}
