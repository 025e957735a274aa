package dev.skiff.guest.devices;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Network cards by the MAC the host gave them (/sys/class/net/NAME/address). Only links backed
 * by a device (those with a {@code device} entry) count: bridges and veths are the agent's own
 * software links, and one of them may carry a MAC the host chose for a card.
 */
public final class NetDevices {
    private NetDevices() {}

    /** The card's current name (the kernel's eth<N> until someone renames it). */
    public static Optional<String> find(Path sys, String mac) throws IOException {
        Path dir = sys.resolve("class/net");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> links = Files.newDirectoryStream(dir)) {
            for (Path link : links) {
                Path address = link.resolve("address");
                if (Files.exists(link.resolve("device")) && Files.isReadable(address)
                        && Files.readString(address).strip().toLowerCase(Locale.ROOT).equals(mac)) {
                    return Optional.of(link.getFileName().toString());
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty(); // a link went away while we looked; the next look is clean
        }
        return Optional.empty();
    }

    /**
     * Waits for a hot-plugged card to be probed: the host's device_add returns before the guest
     * has taken the ACPI hot-plug event, scanned the slot and bound virtio_net, which under TCG
     * takes seconds.
     */
    public static String awaitNic(Path sys, String mac, Duration timeout) throws IOException {
        return SysfsWait.await(() -> find(sys, mac).map(Path::of), timeout, "network card with MAC " + mac)
                .toString();
    }
}
