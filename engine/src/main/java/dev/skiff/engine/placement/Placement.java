package dev.skiff.engine.placement;

import dev.skiff.image.GuestImage;
import dev.skiff.sys.HostTools;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.Uplink;
import dev.skiff.vm.VmConfig;
import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.vm.VmDriver;
import dev.skiff.agent.api.AgentProtocol;
import dev.skiff.agent.api.GuestPaths;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where containers run: the shared utility VM (the "Moby VM"; booted on first use, stopped after
 * it has been idle for {@link #idle}) or a dedicated VM per container (Hyper-V isolation; taken
 * from the {@link VmPool} or booted for the container, and stopped with it). Both kinds run side
 * by side.
 *
 * <p>A dedicated container's scratch disk (its upper layer) outlives its VM, for its next start
 * and for {@code docker cp}: it is kept under the container's own VM name ({@code skiff-<id12>}),
 * moved there when its VM came from the pool under another name.
 */
public final class Placement implements AutoCloseable {
    private static final Logger LOG = System.getLogger(Placement.class.getName());
    public static final String SHARED_NAME = "skiff-shared";
    /** Each VM's scratch disk, sparse: only what containers write takes space. */
    static final long SCRATCH_BYTES = 8L << 30;
    /** When the pool boots a taken VM's replacement at the latest, whether or not a start ended. */
    private static final Duration REFILL_AT_LATEST = Duration.ofSeconds(30);

    /** Every VM's network card: QEMU's user networking, with the addresses the agent expects. */
    static final Uplink UPLINK = new Uplink(GuestNetwork.UPLINK_MAC, GuestNetwork.SLIRP_NETWORK,
            GuestNetwork.GUEST_ADDRESS, GuestNetwork.HOST_ADDRESS, GuestNetwork.DNS_ADDRESS);

    /** Supplies the guest image; built on first use. */
    @FunctionalInterface
    public interface ImageSource {
        GuestImage get() throws IOException;
    }

    private final VmDriver driver;
    private final ImageSource image;
    private final Path vmDir;
    private final Duration idle;
    private final int memoryMib;
    private final Object sharedLock = new Object();
    private volatile UtilityVm shared; // guarded by sharedLock for changes
    private ScheduledFuture<?> idleStop; // guarded by sharedLock
    private final Map<String, UtilityVm> dedicated = new ConcurrentHashMap<>(); // container id -> VM
    /** Container's dedicated name -> its last VM's stop, which must end (and keep its disk) before the next. */
    private final Map<String, CompletableFuture<Void>> stopping = new ConcurrentHashMap<>();
    private final VmPool pool;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("placement-idle").factory());

    public Placement(VmDriver driver, ImageSource image, Path vmDir, Duration idle, int memoryMib) {
        this(driver, image, vmDir, idle, memoryMib, 0);
    }

    /** @param poolSize dedicated VMs kept booted ahead of need; 0 boots each for its container */
    public Placement(VmDriver driver, ImageSource image, Path vmDir, Duration idle, int memoryMib, int poolSize) {
        this.driver = driver;
        this.image = image;
        this.vmDir = vmDir;
        this.idle = idle;
        this.memoryMib = memoryMib;
        this.pool = new VmPool(poolSize, this::bootPooled);
    }

    /** Prepares a VM the pool has booted before it counts as ready (see the engine's PoolWarmup). */
    @FunctionalInterface
    public interface Warmer {
        void warm(UtilityVm vm) throws IOException;
    }

    private volatile Warmer warmer;

    private volatile FileSharing sharing = FileSharing.ninePOnly();

    /** How VMs booted or found from now on serve bind mounts (the preferred transport where the VM allows; 9P otherwise). */
    public void shareFilesOver(FileSharing sharing) {
        this.sharing = sharing;
    }

    public FileSharing sharing() {
        return sharing;
    }

    /** Sets what each pooled VM goes through after its boot; without one, VMs are pooled as booted. */
    public void warmPooledWith(Warmer warmer) {
        this.warmer = warmer;
    }

    private UtilityVm bootPooled(String name) throws IOException {
        UtilityVm vm = null;
        try {
            vm = boot(name, UtilityVm.Mode.DEDICATED);
            Warmer w = warmer;
            if (w != null) {
                w.warm(vm);
            }
            return vm;
        } catch (IOException | RuntimeException e) {
            if (vm != null) {
                vm.stop(); // half warmed: not a VM to hand anyone
            }
            deleteScratch(name);
            throw e;
        }
    }

    /**
     * A container's start has ended (started or refused): a pool it took a VM from may boot the
     * replacement now, without taking the host's cores from that start.
     */
    public void startEnded(String containerId) {
        pool.fill();
    }

    /**
     * Starts filling the dedicated-VM pool (after live restore, which stops the VMs an earlier
     * daemon left waiting in its pool). Does nothing when the pool's size is 0.
     */
    public void fillPool() {
        pool.fill();
    }

    /** Whether the VM waits in the pool, not yet any container's. */
    public boolean pooled(UtilityVm vm) {
        return pool.waiting().contains(vm);
    }

    /**
     * Guest RAM a dedicated VM needs besides its container's memory limit: the kernel, the agent and
     * some page cache (an idle guest uses about 130 MiB).
     */
    static final int GUEST_OVERHEAD_MIB = 256;

    /** The VM a container runs on: the shared one (booted if needed) or a new dedicated one. */
    public UtilityVm acquire(String containerId, boolean dedicatedVm) throws IOException {
        return acquire(containerId, dedicatedVm, 0);
    }

    /**
     * The VM a container runs on. A dedicated VM gets guest RAM for the container's memory limit
     * ({@code docker run -m}) beside its own needs, as LCOW sizes a utility VM from its container's
     * limit: a limit the VM's RAM could not hold would never bind. Guest RAM costs the host only as
     * the guest touches it (free page reporting returns what it frees).
     *
     * @param memoryLimit the container's memory limit in bytes; 0 for none
     */
    public UtilityVm acquire(String containerId, boolean dedicatedVm, long memoryLimit) throws IOException {
        if (dedicatedVm) {
            String name = dedicatedName(containerId);
            CompletableFuture<Void> earlier = stopping.get(name);
            if (earlier != null) {
                earlier.join(); // the container's last VM still holds its disk
            }
            int mib = dedicatedMemoryMib(memoryMib, memoryLimit);
            // A container that ran before has its upper layer on its kept disk: only a VM booted
            // with that disk can take it up. A new container can have a pooled VM's fresh one,
            // unless its memory limit asks for more RAM than the pool's VMs have.
            UtilityVm vm = mib > memoryMib || Files.exists(vmDir.resolve(name).resolve("scratch.ext4")) ? null
                    : pool.take();
            if (vm != null) {
                LOG.log(Level.INFO, "dedicated VM " + vm.name() + " from the pool for container "
                        + containerId.substring(0, 12));
                // the start's own end refills it (startEnded); this covers takers that never start (docker cp)
                try {
                    timer.schedule(pool::fill, REFILL_AT_LATEST.toSeconds(), TimeUnit.SECONDS);
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    // the daemon is stopping (close): no refill is wanted
                }
            } else {
                LOG.log(Level.INFO, "booting dedicated VM " + name + " (" + mib + " MiB) for container "
                        + containerId.substring(0, 12));
                vm = boot(name, UtilityVm.Mode.DEDICATED, mib);
            }
            vm.containers().add(containerId);
            dedicated.put(containerId, vm);
            return vm;
        }
        synchronized (sharedLock) {
            if (idleStop != null) {
                idleStop.cancel(false);
                idleStop = null;
            }
            if (shared == null || !shared.alive()) {
                LOG.log(Level.INFO, "booting the shared VM " + SHARED_NAME);
                shared = boot(SHARED_NAME, UtilityVm.Mode.SHARED);
            }
            shared.containers().add(containerId);
            return shared;
        }
    }

    /**
     * Plugs a layer a pull has just made ready into the shared VM, if one runs (none is booted for
     * it), in the background: a run of the image that follows finds it there. Dedicated VMs are
     * booted per container and get their layers then. A failure only costs that run the plug.
     */
    public void preloadLayer(String diffId, Path disk) {
        UtilityVm vm;
        synchronized (sharedLock) {
            vm = shared;
        }
        if (vm == null || !vm.alive()) {
            return;
        }
        Thread.ofVirtual().name("preload-" + diffId.substring(diffId.indexOf(':') + 1, diffId.indexOf(':') + 13))
                .start(() -> {
                    try {
                        vm.layers(List.of(diffId), d -> disk);
                    } catch (IOException | RuntimeException e) {
                        LOG.log(Level.WARNING, "layer " + diffId.substring(0, Math.min(diffId.length(), 19))
                                + " not plugged into " + vm.name() + " ahead of its run: " + e.getMessage());
                    }
                });
    }

    /**
     * Unplugs from the shared VM (if one runs) the layers that none of its containers uses and
     * that {@code gone} says have left the image store. Dedicated VMs are left alone: their layers
     * go with them when their container ends.
     */
    public void reclaimLayers(java.util.function.Predicate<String> gone) {
        UtilityVm vm;
        synchronized (sharedLock) {
            vm = shared;
        }
        if (vm != null && vm.alive()) {
            vm.unplugUnusedLayers(gone);
        }
    }

    /**
     * The container's dedicated VM is about to be released ({@link #release} follows): from now on
     * a new VM for it waits for that release, which keeps the container's disk. Nothing for the
     * shared VM.
     */
    public void releasing(String containerId) {
        if (dedicated.containsKey(containerId)) {
            stopping.computeIfAbsent(dedicatedName(containerId), k -> new CompletableFuture<>());
        }
    }

    /** Waits for a release of the container's dedicated VM under way (its exit's), if there is one. */
    public void awaitRelease(String containerId) {
        CompletableFuture<Void> under = stopping.get(dedicatedName(containerId));
        if (under != null) {
            under.join();
        }
    }

    /** The container no longer needs its VM: a dedicated VM stops; the shared one may idle out. */
    public void release(String containerId) {
        UtilityVm own = dedicated.remove(containerId);
        if (own != null) {
            // Its scratch disk (the container's upper layer) stays for its next start or docker
            // cp, until the container is removed (discard).
            String name = dedicatedName(containerId);
            CompletableFuture<Void> stopped = stopping.computeIfAbsent(name, k -> new CompletableFuture<>());
            try {
                LOG.log(Level.INFO, "stopping dedicated VM " + own.name());
                own.stop();
                if (!own.name().equals(name)) {
                    keepScratch(own.name(), name);
                }
            } finally {
                stopping.remove(name, stopped);
                stopped.complete(null);
            }
            return;
        }
        synchronized (sharedLock) {
            if (shared != null && shared.containers().remove(containerId) && shared.containers().isEmpty()) {
                UtilityVm idleVm = shared;
                idleStop = timer.schedule(() -> stopIfIdle(idleVm), idle.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** The container is removed: its dedicated VM's scratch disk goes (it kept its upper layer). */
    public void discard(String containerId) {
        if (!dedicated.containsKey(containerId)) {
            deleteScratch(dedicatedName(containerId));
        }
    }

    /** Moves a pooled VM's scratch disk, now its container's upper layer, to the container's name. */
    private void keepScratch(String vmName, String containerName) {
        try {
            Path from = vmDir.resolve(vmName).resolve("scratch.ext4");
            if (Files.exists(from)) {
                Files.createDirectories(vmDir.resolve(containerName));
                Files.move(from, vmDir.resolve(containerName).resolve("scratch.ext4"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot keep the scratch disk of " + vmName + " for " + containerName
                    + " (its container's files are lost at its next start): " + e.getMessage());
        }
        deleteScratch(vmName);
    }

    private static String dedicatedName(String containerId) {
        return "skiff-" + containerId.substring(0, 12);
    }

    private void stopIfIdle(UtilityVm vm) {
        synchronized (sharedLock) {
            if (shared != vm || !vm.containers().isEmpty()) {
                return;
            }
            shared = null;
            idleStop = null;
        }
        LOG.log(Level.INFO, "the shared VM was idle for " + idle.toSeconds() + " s: stopping it");
        vm.stop();
        deleteScratch(vm.name());
    }

    /** Takes over a VM an earlier daemon started, with the containers it still runs. */
    public void adopt(UtilityVm vm) {
        if (vm.mode() == UtilityVm.Mode.SHARED) {
            synchronized (sharedLock) {
                shared = vm;
                if (vm.containers().isEmpty()) {
                    idleStop = timer.schedule(() -> stopIfIdle(vm), idle.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
            return;
        }
        if (vm.containers().isEmpty()) {
            LOG.log(Level.INFO, "stopping dedicated VM " + vm.name() + (vm.name().startsWith(VmPool.NAME_PREFIX)
                    ? ": an earlier daemon left it waiting in its pool, warmed or not" : ": its container is gone"));
            vm.stop();
            deleteScratch(vm.name());
            return;
        }
        for (String c : vm.containers()) {
            dedicated.put(c, vm);
        }
    }

    /** Every running VM. */
    public List<UtilityVm> vms() {
        List<UtilityVm> all = new ArrayList<>();
        UtilityVm s = shared;
        if (s != null && s.alive()) {
            all.add(s);
        }
        dedicated.values().stream().filter(UtilityVm::alive).forEach(all::add);
        pool.waiting().stream().filter(UtilityVm::alive).forEach(all::add);
        return all;
    }

    /**
     * A dedicated VM's guest RAM: the configured size, or more where the container's limit needs it,
     * but never more than the host has (a limit above it binds nowhere, as on Docker's own host, and
     * the guest's page tables for RAM it can never use would cost the host real memory).
     */
    static int dedicatedMemoryMib(int configured, long memoryLimit, long hostBytes) {
        if (memoryLimit <= 0) {
            return configured;
        }
        long needed = (memoryLimit + (1 << 20) - 1) / (1 << 20) + GUEST_OVERHEAD_MIB;
        long most = Math.max(configured, hostBytes >> 20);
        return (int) Math.max(configured, Math.min(Math.min(needed, most), Integer.MAX_VALUE));
    }

    private static int dedicatedMemoryMib(int configured, long memoryLimit) {
        long host = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getTotalMemorySize();
        return dedicatedMemoryMib(configured, memoryLimit, host);
    }

    private UtilityVm boot(String name, UtilityVm.Mode mode) throws IOException {
        return boot(name, mode, memoryMib);
    }

    private UtilityVm boot(String name, UtilityVm.Mode mode, int mib) throws IOException {
        Path kept = vmDir.resolve(name).resolve("scratch.ext4");
        // A dedicated VM's disk holds only its container's upper layer: a later VM of the same
        // container takes it over. The shared VM starts empty.
        Path scratch = mode == UtilityVm.Mode.DEDICATED && Files.exists(kept) ? kept : scratchDisk(name);
        VmConfig config = config(name, mib, scratch);
        VmTemplates t = templates;
        dev.skiff.vm.VmTemplate template = null;
        if (t != null) {
            template = t.find(config);
            if (template == null && mib == memoryMib) {
                // for the next VM of the usual size; a VM sized for a container's -m boots, as do
                // later ones of its size, rather than cost a template build per size asked for
                buildTemplate(config);
            }
        }
        return UtilityVm.boot(driver, config, mode, sharing, template, t);
    }

    /** Every utility VM's config: the guest image, the agent's channel, the scratch disk, the uplink. */
    private VmConfig config(String name, int mib, Path scratch) throws IOException {
        GuestImage img = image.get();
        return VmConfig.of(name, img.kernel(), img.initrd(), kernelArgs(img, System.getenv()), img.initArgs(),
                        List.of(GuestPaths.AGENT_PORT)).withMappedImage(img.optImage()).withMemory(mib, 2)
                .withDisks(List.of(new DiskSpec(scratch, UtilityVm.SCRATCH_SERIAL, false)))
                .withUplink(UPLINK);
    }

    // ---------------------------------------------------------------- VM templates

    private volatile VmTemplates templates;
    /** Template keys being built by this process, so that a burst of boots starts one build. */
    private final java.util.Set<String> building = ConcurrentHashMap.newKeySet();

    /**
     * Starts VMs from templates kept in {@code store} (see {@link VmTemplates}) from now on, and
     * builds the template of the usual VM in the background now if there is none yet.
     */
    public void useTemplates(VmTemplates store) {
        this.templates = store;
        Thread.ofVirtual().name("vm-template").start(() -> {
            Path probe = null;
            try {
                // the template's key needs a disk of the scratch disk's size; the build makes its own
                Files.createDirectories(vmDir);
                Path name = vmDir.resolve("template-" + ProcessHandle.current().pid() + ".disk");
                Files.deleteIfExists(name); // an earlier process's of the same pid
                probe = VmTemplates.sparseFile(name, SCRATCH_BYTES);
                VmConfig config = config("template", memoryMib, probe);
                if (store.find(config) == null) {
                    buildTemplate(config).join();
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "no VM template: " + e.getMessage() + "; VMs boot as usual");
            } finally {
                if (probe != null) {
                    try {
                        Files.deleteIfExists(probe);
                    } catch (IOException e) {
                        // a sparse file left in the VM folder
                    }
                }
            }
        });
    }

    /** Builds {@code config}'s template on a thread of its own, unless this process is building it already. */
    private CompletableFuture<Void> buildTemplate(VmConfig config) {
        VmTemplates t = templates;
        String key;
        try {
            key = t == null ? null : driver.templateKey(config);
        } catch (IOException e) {
            key = null;
        }
        if (key == null || !building.add(key)) {
            return CompletableFuture.completedFuture(null);
        }
        String k = key;
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("vm-template-" + key).start(() -> {
            try {
                LOG.log(Level.INFO, "making VM template " + k + " (one boot; later VMs of its kind start from it)");
                t.build(config, UtilityVm.BOOT_TIMEOUT);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "failed to make VM template " + k + ": " + e.getMessage() + "; VMs boot as usual");
            } finally {
                building.remove(k);
                done.complete(null);
            }
        });
        return done;
    }

    /** Extra JVM options for the guest's agent, from the daemon's environment: diagnostics (logging, a class list). */
    static final String GUEST_JAVA_OPTIONS_ENV = "SKIFF_GUEST_JAVA_OPTIONS";

    /**
     * The image's kernel arguments, plus what the daemon's environment asks of the guest. The kernel
     * hands an unknown {@code KEY=value} to init's environment, where the agent reads it:
     * {@code SKIFF_OCI_RUNTIME=runc} for runc instead of crun, and {@code SKIFF_GUEST_JAVA_OPTIONS}
     * as the agent JVM's {@code JAVA_TOOL_OPTIONS} (in double quotes, which the kernel's parser
     * takes as one value; a value holding a quote or a control character is refused).
     */
    static List<String> kernelArgs(GuestImage img, Map<String, String> env) {
        List<String> args = new ArrayList<>(img.kernelArgs());
        if ("runc".equals(env.get(AgentProtocol.RUNTIME_ENV))) {
            args.add(AgentProtocol.RUNTIME_ENV + "=runc");
        }
        String java = env.getOrDefault(GUEST_JAVA_OPTIONS_ENV, "").strip();
        if (!java.isEmpty()) {
            if (java.chars().anyMatch(c -> c == '"' || c < 0x20)) {
                throw new IllegalArgumentException(GUEST_JAVA_OPTIONS_ENV + " may not hold a double quote or a control character: "
                        + java);
            }
            args.add("JAVA_TOOL_OPTIONS=\"" + java + "\"");
        }
        return args;
    }

    /** A fresh sparse ext4 image for the VM's containers' upper layers (mkfs.ext4 from e2fsprogs). */
    private Path scratchDisk(String vmName) throws IOException {
        Path dir = Files.createDirectories(vmDir.resolve(vmName));
        Path disk = dir.resolve("scratch.ext4");
        Files.deleteIfExists(disk);
        VmTemplates.sparseFile(disk, SCRATCH_BYTES);
        // in /sbin on Debian, outside a plain user's PATH; it needs no privilege on a file the user owns
        Path tool = HostTools.require("mkfs.ext4", "e2fsprogs");
        Process mkfs = new ProcessBuilder(tool.toString(), "-q", "-F", "-E", "lazy_itable_init=1,lazy_journal_init=1",
                disk.toString()).redirectErrorStream(true).start();
        String out = new String(mkfs.getInputStream().readAllBytes());
        try {
            if (mkfs.waitFor() != 0) {
                throw new IOException("mkfs.ext4 of the scratch disk failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted formatting the scratch disk", e);
        }
        return disk;
    }

    private void deleteScratch(String vmName) {
        try {
            Files.deleteIfExists(vmDir.resolve(vmName).resolve("scratch.ext4"));
            Files.deleteIfExists(vmDir.resolve(vmName));
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot delete the scratch disk of " + vmName + ": " + e.getMessage());
        }
    }

    /** Stops every VM (the daemon's own shutdown does not do this: containers outlive it). */
    public void stopAll() {
        List<UtilityVm> all = vms();
        pool.close(); // no refill after this; a boot under way stops itself
        for (UtilityVm vm : all) {
            vm.stop();
            deleteScratch(vm.name());
        }
    }

    /** Stops the engine's timers and the pool's refill; VMs (pooled ones too) keep running for live restore. */
    @Override
    public void close() {
        pool.close();
        timer.shutdownNow();
        VmTemplates t = templates;
        if (t != null) {
            t.close();
        }
    }
}
