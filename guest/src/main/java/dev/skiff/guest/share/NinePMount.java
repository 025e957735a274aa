package dev.skiff.guest.share;

import dev.skiff.guest.boot.Boot;
import dev.skiff.guest.devices.VirtioPorts;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Mounts;
import dev.skiff.sys.OpenFlags;
import dev.skiff.sys.Sockets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Mounts a 9P share served by the host on a virtio-serial port.
 *
 * <p>Mount options (fs/9p/v9fs.c): {@code version=9p2000.L}; {@code access=client} so the
 * guest checks permissions with the uid of the caller, as local file systems do;
 * {@code cache=mmap} so shared writable mmap works, which databases need; {@code msize} as large
 * as the server allows.
 */
public final class NinePMount {
    private NinePMount() {}

    public static final int MSIZE = 512 * 1024;

    public static void mount(String port, String aname, Path target, boolean readOnly, Duration timeout)
            throws IOException {
        Path node = VirtioPorts.awaitPort(Path.of("/sys"), Path.of("/dev"), port, timeout);
        long t0 = System.nanoTime();
        if (Boot.loadModuleListOnce(Path.of("/"), Boot.NINE_P_MODULES, timeout) > 0) {
            dev.skiff.guest.Main.log("share: loaded the 9P client in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
        Files.createDirectories(target);
        // non-blocking: the relay must see the host go away in the middle of a write (VirtioPortLink)
        int portFd = Fds.openat2(Fds.AT_FDCWD, node.toString(), OpenFlags.O_RDWR | OpenFlags.O_NONBLOCK, 0, 0);
        int[] pair;
        try {
            pair = Sockets.streamPair();
        } catch (ErrnoException e) {
            Fds.close(portFd);
            throw e;
        }
        SessionRelay.start(port, portFd, pair[0]);
        String options = "trans=fd,rfdno=" + pair[1] + ",wfdno=" + pair[1] + ",version=9p2000.L,msize=" + MSIZE
                + ",access=client,cache=mmap" + (aname.isEmpty() ? "" : ",aname=" + aname);
        try {
            Mounts.mount("skiff-" + port, target.toString(), "9p", readOnly ? Mounts.MS_RDONLY : 0, options);
        } finally {
            Fds.close(pair[1]); // the kernel holds its own reference once mounted
        }
    }
}
