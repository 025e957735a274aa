package dev.skiff.guest.devices;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;

/**
 * Disks by the serial the host set on the device: SCSI disks (sdX, the host's hot-plugged layers)
 * by their unit serial number, VPD page 0x80 (/sys/block/sdX/device/vpd_pg80); virtio-blk disks
 * (vdX: the scratch disk, and layers of VMs an older daemon booted) by /sys/block/vdX/serial.
 */
public final class BlockDevices {
    private BlockDevices() {}

    /**
     * The disk with this serial whose device node opens. Its sysfs folder and node come first in
     * the kernel's add_disk, before the block device can be opened, and a disk of the same serial
     * unplugged moments ago (a layer plugged again) can linger while the guest removes it: either
     * refuses an open with ENXIO, which a mount would report as its error. Such a disk is passed
     * over, so a caller polling this finds the disk once it is ready.
     */
    public static Optional<Path> find(Path sys, Path dev, String serial) throws IOException {
        Path dir = sys.resolve("block");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> disks = Files.newDirectoryStream(dir, "{sd,vd}*")) {
            for (Path disk : disks) {
                Path node = dev.resolve(disk.getFileName().toString());
                if (serial.equals(serialOf(disk)) && opens(node)) {
                    return Optional.of(node);
                }
            }
        }
        return Optional.empty();
    }

    /** Whether the node opens for reading (a plain open: it claims nothing, reads nothing). */
    private static boolean opens(Path node) {
        try (FileChannel ignored = FileChannel.open(node, StandardOpenOption.READ)) {
            return true;
        } catch (IOException e) {
            return false; // absent yet, or not ready (ENXIO), or going away
        }
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
