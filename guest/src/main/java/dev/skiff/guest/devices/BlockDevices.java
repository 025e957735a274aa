package dev.skiff.guest.devices;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** virtio-blk disks by the serial the host set on the device (/sys/block/vdX/serial). */
public final class BlockDevices {
    private BlockDevices() {}

    public static Optional<Path> find(Path sys, Path dev, String serial) throws IOException {
        Path dir = sys.resolve("block");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> disks = Files.newDirectoryStream(dir, "vd*")) {
            for (Path disk : disks) {
                Path serialFile = disk.resolve("serial");
                if (Files.isReadable(serialFile) && Files.readString(serialFile).strip().equals(serial)) {
                    Path node = dev.resolve(disk.getFileName().toString());
                    if (Files.exists(node)) {
                        return Optional.of(node);
                    }
                }
            }
        }
        return Optional.empty();
    }

    public static Path awaitDisk(Path sys, Path dev, String serial, Duration timeout) throws IOException {
        return SysfsWait.await(() -> find(sys, dev, serial), timeout, "disk with serial " + serial);
    }
}
