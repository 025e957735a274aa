package dev.skiff.guest.devices;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Waits for a device to show up in sysfs. The kernel adds a hot-plugged device asynchronously
 * after the host's device_add returns, and there is no udev here to tell us, so this polls with
 * a short, growing back-off up to a deadline.
 */
final class SysfsWait {
    private SysfsWait() {}

    interface Probe {
        Optional<Path> find() throws IOException;
    }

    static Path await(Probe probe, Duration timeout, String what) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 5;
        while (true) {
            Optional<Path> found = probe.find();
            if (found.isPresent()) {
                return found.get();
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for " + what, e);
            }
            pauseMillis = Math.min(pauseMillis * 2, 100);
        }
    }
}
