package dev.skiff.engine.placement;

import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmConfig;
import dev.skiff.vm.VmDriver;
import dev.skiff.vm.VmTemplate;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Utility-VM templates (as Kata's VM factory): one VM of a config is booted once, its agent
 * answers, the guest drops its caches, and the VM is saved ({@link Vm#saveTemplate}); every later
 * VM of the same config starts from that snapshot instead of booting: it skips the kernel's boot
 * and the agent JVM's start (seconds under TCG), and begins with the little memory the template
 * held instead of what a boot touches.
 *
 * <p>Templates live in a cache folder shared by the host's daemons ({@code <cache>/templates/<key>},
 * key from {@link VmDriver#templateKey}: a rebuilt guest image or another VM size is another key).
 * One process builds a template at a time (a lock file per key); a half-built one is never seen
 * (built in a folder of its own, then renamed). At most {@link #KEPT} are kept, the least recently
 * used removed first.
 *
 * <p>What a template gives each VM started from it: its own copy of the RAM, a new VM generation
 * ID (the guest's kernel reseeds its random generator on it; the boot id, read first after the
 * start, is drawn anew), the host's time ({@link AgentClient#setClock}), and its own disks, which
 * the template's guest never mounted and whose cached blocks it dropped.
 */
public final class VmTemplates {
    private static final Logger LOG = System.getLogger(VmTemplates.class.getName());
    static final int KEPT = 4;
    /** The name of a VM being made into a template. */
    public static final String BUILDING_PREFIX = "template-";
    /** How long free page reporting gets to return the pages the guest freed before the snapshot. */
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private final Path dir;
    private final VmDriver driver;
    /** The VM being made into a template, if any: it ends with the daemon ({@link #close}). */
    private volatile Vm making;
    private volatile boolean closed;

    public VmTemplates(Path dir, VmDriver driver) {
        this.dir = dir;
        this.driver = driver;
    }

    /** The template for {@code config}, or null when there is none (yet) or the driver makes none. */
    VmTemplate find(VmConfig config) throws IOException {
        String key = driver.templateKey(config);
        if (key == null) {
            return null;
        }
        Path t = dir.resolve(key);
        Path ram = t.resolve("ram"), state = t.resolve("state");
        if (!Files.isRegularFile(ram) || !Files.isRegularFile(state)) {
            return null;
        }
        try {
            Files.setLastModifiedTime(t, FileTime.from(Instant.now())); // used: kept longest
        } catch (IOException e) {
            // a read-only cache is still usable
        }
        return new VmTemplate(key, ram, state);
    }

    /** A template that failed to start a VM: removed, so that the next boot makes a new one. */
    void discard(VmTemplate t) {
        deleteTree(dir.resolve(t.key()));
    }

    /**
     * Builds the template of {@code config} unless it exists or another process is building it:
     * boots a VM of it (with a throwaway scratch disk of the same size), waits for its agent,
     * has the guest drop its caches, lets the freed pages go back, and saves it. Returns the
     * template, or null when there was nothing to do here.
     */
    VmTemplate build(VmConfig config, Duration bootTimeout) throws IOException {
        String key = driver.templateKey(config);
        if (key == null) {
            return null;
        }
        Files.createDirectories(dir);
        try (FileChannel lockFile = FileChannel.open(dir.resolve(key + ".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = tryLock(lockFile)) {
            if (lock == null) {
                return null; // another daemon is building it
            }
            VmTemplate found = find(config);
            if (found != null) {
                return found;
            }
            Path work = Files.createTempDirectory(dir, key + ".building-");
            try {
                long t0 = System.nanoTime();
                VmConfig c = withThrowawayDisks(config, work);
                Vm vm = driver.startTemplate(new VmConfig(BUILDING_PREFIX + key.substring(0, 8), c.kernel(), c.initrd(),
                        c.kernelArgs(), c.initArgs(), c.memoryMiB(), c.cpus(), c.accel(), c.channels(), c.disks(),
                        work.resolve("console.log"), c.uplink(), c.mappedImage()), work.resolve("ram"));
                making = vm;
                if (closed) {
                    vm.kill();
                    throw new IOException("the daemon is stopping");
                }
                try {
                    try (AgentClient agent = AgentClient.over(vm.channel(GuestPaths.AGENT_PORT).connect())) {
                        agent.ping(bootTimeout);
                        agent.prepareTemplate();
                    }
                    awaitSettled(work.resolve("ram"));
                    vm.saveTemplate(work.resolve("state"));
                } catch (IOException | RuntimeException e) {
                    vm.kill();
                    throw e;
                } finally {
                    making = null;
                }
                for (DiskSpec d : c.disks()) {
                    Files.deleteIfExists(d.image());
                }
                Files.deleteIfExists(work.resolve("console.log"));
                Path t = dir.resolve(key);
                try {
                    Files.move(work, t, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                    return find(config);
                }
                LOG.log(Level.INFO, "VM template " + key + " made in " + (System.nanoTime() - t0) / 1_000_000
                        + " ms (" + (allocated(t.resolve("ram")) >> 20) + " MiB of RAM): VMs of its kind now start from it");
                prune(key);
                return new VmTemplate(key, t.resolve("ram"), t.resolve("state"));
            } finally {
                deleteTree(work);
            }
        }
    }

    /**
     * Ends a template build under way (its VM would outlive the daemon, which alone drives it:
     * VMs run in sessions of their own); finished templates stay.
     */
    public void close() {
        closed = true;
        Vm vm = making;
        if (vm != null) {
            vm.kill();
        }
    }

    /** The build lock, or null when another process (or another thread here) holds it. */
    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null;
        }
    }

    /** The config's disks as sparse files of the same sizes in {@code work}: the template's guest never mounts them. */
    private static VmConfig withThrowawayDisks(VmConfig config, Path work) throws IOException {
        List<DiskSpec> disks = new java.util.ArrayList<>();
        int i = 0;
        for (DiskSpec d : config.disks()) {
            Path f = sparseFile(work.resolve("disk" + i++), Files.size(d.image()));
            disks.add(new DiskSpec(f, d.serial(), d.readOnly()));
        }
        return config.withDisks(disks);
    }

    /** A new file of {@code size} bytes, all hole: nothing written but its length. */
    static Path sparseFile(Path f, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (size > 0) {
                ch.position(size - 1).write(java.nio.ByteBuffer.wrap(new byte[1]));
            }
        }
        return f;
    }

    /**
     * Waits until the RAM file stops shrinking (free page reporting returns freed pages a few
     * seconds after they are freed, in 2 MiB blocks), for at most {@link #SETTLE}: the template is
     * smaller for it, and correct either way.
     */
    private static void awaitSettled(Path ram) throws IOException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        long last = allocated(ram);
        int still = 0;
        while (System.nanoTime() < deadline && still < 3) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long now = allocated(ram);
            still = now >= last ? still + 1 : 0;
            last = now;
        }
    }

    /** The bytes a sparse file holds. */
    static long allocated(Path f) throws IOException {
        return dev.skiff.sys.Files.statx(dev.skiff.sys.Fds.AT_FDCWD, f.toString(), 0).blocks() * 512;
    }

    /** Keeps the {@link #KEPT} most recently used templates. */
    private void prune(String keep) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> old = s.filter(p -> Files.isDirectory(p) && !p.getFileName().toString().contains(".")
                            && !p.getFileName().toString().equals(keep))
                    .sorted(Comparator.comparing(VmTemplates::modified).reversed()).skip(KEPT - 1).toList();
            for (Path p : old) {
                LOG.log(Level.INFO, "VM template " + p.getFileName() + " removed: least recently used of " + (KEPT + 1));
                deleteTree(p);
                Files.deleteIfExists(dir.resolve(p.getFileName() + ".lock"));
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "failed to prune VM templates in " + dir + ": " + e.getMessage());
        }
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "failed to delete " + p + ": " + e.getMessage());
        }
    }
}
