package dev.skiff.guest.share;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Mounts;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Mounts a share the host serves over a virtio-fs device. The host plugs the device in just
 * before asking for the mount, and the kernel knows its tag only once its driver has probed it
 * (ACPI hot-plug, then the virtio handshake); until then mount(2) answers EINVAL ("tag not
 * found", fs/fuse/virtio_fs.c). Linux 6.1 exposes no tag in sysfs to wait on, so the mount is
 * retried with a growing pause, bounded by the caller's timeout.
 *
 * <p>No options: the server decides caching (its entry and attribute timeouts, and no
 * FOPEN_KEEP_CACHE), so that other VMs' and the host's writes are seen as on the 9P path.
 */
public final class VirtioFsMount {
    private VirtioFsMount() {}

    public static void mount(String tag, Path target, boolean readOnly, Duration timeout) throws IOException {
        Files.createDirectories(target);
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMs = 2;
        while (true) {
            try {
                Mounts.mount(tag, target.toString(), "virtiofs", readOnly ? Mounts.MS_RDONLY : 0, null);
                return;
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EINVAL) {
                    throw e;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new ErrnoException("mount virtio-fs " + tag, target + ": no device with that tag appeared within "
                            + timeout.toSeconds() + " s", e.errno());
                }
            }
            try {
                Thread.sleep(pauseMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for virtio-fs " + tag);
            }
            pauseMs = Math.min(pauseMs * 2, 100);
        }
    }
}
