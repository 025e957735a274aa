package dev.skiff.vm;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * A raw disk image to give the guest. The guest finds it by {@code serial} (virtio-blk serials
 * are at most 20 bytes; see the virtio spec, "Device ID").
 */
public record DiskSpec(Path image, String serial, boolean readOnly) {
    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9_.-]{1,20}");

    public DiskSpec {
        if (!SERIAL.matcher(serial).matches()) {
            throw new IllegalArgumentException("disk serial must be 1-20 of [A-Za-z0-9_.-]: " + serial);
        }
    }
}
