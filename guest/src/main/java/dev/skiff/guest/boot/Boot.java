package dev.skiff.guest.boot;

import dev.skiff.guest.Main;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Mounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What an init does before serving: mount /proc, /sys, /dev and the tmpfs dirs, then load the
 * modules that the image builder listed in {@value #MODULE_LIST} (dependencies first, as
 * modules.dep orders them).
 */
public final class Boot {
    private Boot() {}

    /** One module path per line, relative to the root, in load order. Written by the image builder. */
    public static final String BOOT_MODULES = "etc/skiff/modules.boot", LATER_MODULES = "etc/skiff/modules";
    /** Loaded by nothing here: the agent loads it on its first network request ({@link #loadModuleList}). */
    public static final String NET_MODULES = "etc/skiff/modules.net";
    /** The SCSI disk drivers, loaded by the agent with the first disk on the SCSI controller. */
    public static final String SCSI_MODULES = "etc/skiff/modules.scsi";
    /** The virtio-fs client, loaded by the agent with the first virtio-fs share. */
    public static final String VIRTIOFS_MODULES = "etc/skiff/modules.virtiofs";
    /** The 9P client and its fd transport, loaded with the first 9P share ({@link #loadModuleListOnce}). */
    public static final String NINE_P_MODULES = "etc/skiff/modules.9p";

    /** The on-demand lists {@link #loadModuleListOnce} has loaded. */
    private static final java.util.Set<String> LOADED_LISTS = new java.util.HashSet<>();

    /** Taken as early as this class loads, which is the first thing main() does. */
    private static final long JVM_START = System.nanoTime();

    private static final CompletableFuture<Integer> LATER = new CompletableFuture<>();

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
        long mounted = System.nanoTime();
        int loaded = ModuleLoader.loadAll(root, root.resolve(BOOT_MODULES));
        Main.log("boot: JVM up at " + uptime(root) + " s; mounted " + MOUNTS.size() + " file systems in "
                + (mounted - start) / 1_000_000 + " ms, loaded " + loaded + " boot modules in "
                + (System.nanoTime() - mounted) / 1_000_000 + " ms");
        Thread.ofPlatform().daemon().name("module-loader").start(() -> {
            long t = System.nanoTime();
            try {
                int n = ModuleLoader.loadAll(root, root.resolve(LATER_MODULES));
                Main.log("boot: loaded " + n + " more modules in " + (System.nanoTime() - t) / 1_000_000 + " ms");
                LATER.complete(n);
            } catch (IOException | RuntimeException e) {
                Main.log("boot: " + e.getMessage());
                LATER.completeExceptionally(e);
            }
        });
    }

    /**
     * Loads a list that is not part of boot (such as {@link #NET_MODULES}), on demand: first waits
     * for the background list, whose modules a later list may depend on (libcrc32c, for one,
     * asks the crypto API for crc32c as it loads). Modules already in are skipped.
     *
     * @return how many modules were newly loaded; 0 if the list does not exist
     * @throws IOException naming the module that failed, or if the background list did not finish
     */
    public static int loadModuleList(Path root, String list, Duration timeout) throws IOException {
        awaitModules(timeout);
        return ModuleLoader.loadAll(root, root.resolve(list));
    }

    /**
     * As {@link #loadModuleList}, once per list for the life of the guest: later calls return at
     * once, concurrent ones wait for the first. A list whose load failed is tried again.
     *
     * @return how many modules this call loaded
     */
    public static int loadModuleListOnce(Path root, String list, Duration timeout) throws IOException {
        synchronized (LOADED_LISTS) {
            if (LOADED_LISTS.contains(list)) {
                return 0;
            }
            int n = loadModuleList(root, list, timeout);
            LOADED_LISTS.add(list);
            return n;
        }
    }

    /** Seconds since the kernel started, when this JVM began (read once /proc is mounted). */
    private static String uptime(Path root) {
        try {
            double now = Double.parseDouble(Files.readString(root.resolve("proc/uptime")).split(" ")[0]);
            return String.format("%.2f", now - (System.nanoTime() - JVM_START) / 1e9);
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /**
     * Waits until the modules loaded after boot (file systems, block devices, vsock) are in.
     *
     * @throws IOException if one failed to load, naming it, or on timeout
     */
    public static void awaitModules(Duration timeout) throws IOException {
        if (ProcessHandle.current().pid() != 1) {
            return; // not the guest's init: nothing is loading
        }
        try {
            LATER.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("kernel modules still loading after " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for kernel modules", e);
        }
    }
}
