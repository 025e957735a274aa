package dev.skiff.guest.devices;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Disks by the serial the host set on the device: SCSI disks (sdX, the host's hot-plugged layers)
 * by their unit serial number, VPD page 0x80 (/sys/block/sdX/device/vpd_pg80); virtio-blk disks
 * (vdX: the scratch disk, and layers of VMs an older daemon booted) by /sys/block/vdX/serial.
 */
public final class BlockDevices {
    private BlockDevices() {}

    public static Optional<Path> find(Path sys, Path dev, String serial) throws IOException {
        Path dir = sys.resolve("block");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> disks = Files.newDirectoryStream(dir, "{sd,vd}*")) {
            for (Path disk : disks) {
                if (serial.equals(serialOf(disk)) && Files.exists(dev.resolve(disk.getFileName().toString()))) {
                    return Optional.of(dev.resolve(disk.getFileName().toString()));
                }
            }
        }
        return Optional.empty();
    }

    private static String serialOf(Path disk) throws IOException {
        Path virtio = disk.resolve("serial");
        if (Files.isReadable(virtio)) {
            return Files.readString(virtio).strip();
        }
        Path vpd = disk.resolve("device/vpd_pg80");
        return Files.isReadable(vpd) ? unitSerial(Files.readAllBytes(vpd)) : null;
    }

    /**
     * The product serial number of a Unit Serial Number VPD page (SPC-4 7.8.15): a 4-byte header
     * (peripheral type, page code 0x80, page length in big-endian) and the serial in ASCII, which
     * devices may pad with spaces; null for anything else.
     */
    static String unitSerial(byte[] page) {
        if (page.length < 4 || (page[1] & 0xff) != 0x80) {
            return null;
        }
        int length = Math.min(((page[2] & 0xff) << 8) | (page[3] & 0xff), page.length - 4);
        return new String(page, 4, length, StandardCharsets.US_ASCII).replace('\0', ' ').strip();
    }

    public static Path awaitDisk(Path sys, Path dev, String serial, Duration timeout) throws IOException {
        return SysfsWait.await(() -> find(sys, dev, serial), timeout, "disk with serial " + serial);
    }
}
