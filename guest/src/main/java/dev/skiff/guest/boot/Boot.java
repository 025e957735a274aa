package dev.skiff.guest.boot;

import dev.skiff.guest.Main;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What an init does before serving: mount /proc, /sys, /dev and the tmpfs dirs, then load the
 * modules that the image builder listed in {@value #MODULE_LIST} (dependencies first, as
 * modules.dep orders them).
 */
public final class Boot {
    private Boot() {}

    /** One module path per line, relative to the root, in load order. Written by the image builder. */
    public static final String MODULE_LIST = "etc/skiff/modules";

    private record PseudoMount(String source, String target, String type, long flags, String data) {}

    private static final List<PseudoMount> MOUNTS = List.of(
            new PseudoMount("proc", "proc", "proc", Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOEXEC, null),
            new PseudoMount("sysfs", "sys", "sysfs", Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOEXEC, null),
            new PseudoMount("devtmpfs", "dev", "devtmpfs", Mounts.MS_NOSUID, "mode=0755"),
            new PseudoMount("devpts", "dev/pts", "devpts", Mounts.MS_NOSUID | Mounts.MS_NOEXEC, "gid=5,mode=620,ptmxmode=666"),
            new PseudoMount("tmpfs", "dev/shm", "tmpfs", Mounts.MS_NOSUID | Mounts.MS_NODEV, "mode=1777"),
            new PseudoMount("tmpfs", "tmp", "tmpfs", Mounts.MS_NOSUID | Mounts.MS_NODEV, "mode=1777"),
            new PseudoMount("tmpfs", "run", "tmpfs", Mounts.MS_NOSUID | Mounts.MS_NODEV, "mode=0755"),
            new PseudoMount("cgroup2", "sys/fs/cgroup", "cgroup2", Mounts.MS_NOSUID | Mounts.MS_NODEV | Mounts.MS_NOEXEC, null));

    public static void run(Path root) throws IOException {
        long start = System.nanoTime();
        for (PseudoMount m : MOUNTS) {
            Path target = root.resolve(m.target());
            Files.createDirectories(target);
            try {
                Mounts.mount(m.source(), target.toString(), m.type(), m.flags(), m.data());
            } catch (ErrnoException e) {
                if (e.errno() != dev.skiff.sys.Errno.EBUSY) {
                    throw e;
                }
            }
        }
        int loaded = ModuleLoader.loadAll(root, root.resolve(MODULE_LIST));
        Main.log("boot: mounted " + MOUNTS.size() + " file systems, loaded " + loaded + " modules in "
                + (System.nanoTime() - start) / 1_000_000 + " ms");
    }
}
