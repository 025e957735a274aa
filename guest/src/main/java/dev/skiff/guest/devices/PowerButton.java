package dev.skiff.guest.devices;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The ACPI power button, read from its evdev node: the host's "system_powerdown" presses it.
 * With no acpid in the guest, this is how PID 1 learns that the host wants a clean shutdown.
 * Events are {@code struct input_event} (include/uapi/linux/input.h): a 16-byte timeval, then
 * u16 type, u16 code, s32 value.
 */
public final class PowerButton {
    private PowerButton() {}

    private static final int EVENT_SIZE = 24, EV_KEY = 1, KEY_POWER = 116;

    public static Optional<Path> find(Path sys, Path dev) throws IOException {
        Path dir = sys.resolve("class/input");
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> inputs = Files.newDirectoryStream(dir, "event*")) {
            for (Path input : inputs) {
                Path name = input.resolve("device/name");
                if (Files.isReadable(name) && Files.readString(name).strip().equals("Power Button")) {
                    return Optional.of(dev.resolve("input").resolve(input.getFileName()));
                }
            }
        }
        return Optional.empty();
    }

    /** Blocks until the button is pressed. */
    public static void awaitPress(Path node) throws IOException {
        try (InputStream in = Files.newInputStream(node)) {
            ByteBuffer event = ByteBuffer.allocate(EVENT_SIZE).order(ByteOrder.nativeOrder());
            while (true) {
                byte[] bytes = in.readNBytes(EVENT_SIZE);
                if (bytes.length < EVENT_SIZE) {
                    throw new IOException("power button device " + node + " closed");
                }
                event.clear();
                event.put(bytes).flip();
                int type = Short.toUnsignedInt(event.getShort(16));
                int code = Short.toUnsignedInt(event.getShort(18));
                int value = event.getInt(20);
                if (type == EV_KEY && code == KEY_POWER && value == 1) {
                    return;
                }
            }
        }
    }
}
