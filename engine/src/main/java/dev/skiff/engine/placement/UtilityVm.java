package dev.skiff.engine.placement;

import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.engine.mount.HostWatch;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.NicSpec;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One utility VM as the engine uses it: the VM, the agent client on its channel, the layer disks
 * already plugged in (a layer is plugged once per VM and shared by its containers), the 9P
 * shares it serves, and the containers placed on it.
 */
public final class UtilityVm {
    /** Generous: under TCG on a loaded 2-core host a boot can take several times its usual 10 s. */
    private static final System.Logger LOG = System.getLogger(UtilityVm.class.getName());
    public static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);

    public enum Mode { SHARED, DEDICATED }

    private final String name;
    private final Mode mode;
    private final Vm vm;
    private final AgentClient agent;
    private final String bootId;
    /** The layer disks plugged into it, mounted in the guest and used by its containers. */
    private final VmLayers layers;
    private final Set<String> containers = ConcurrentHashMap.newKeySet();
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    /** The host folders its containers bind, each a share of its own (9P or virtio-fs). */
    private final VmShares shares;
    private final Map<String, RelayedSocket> sockets = new ConcurrentHashMap<>(); // storage id -> its forward

    /**
     * How many of the shared VM's layer disks take PCI slots: one (its first container's first
     * layer, so a fresh shared VM starts without loading SCSI drivers), then the SCSI controller.
     * The shared VM takes every image's layers over its life, and under emulation each PCI
     * hot-plug cost it 0.5 to 1.2 s against 0.02 to 0.3 s on SCSI (a pull of five layers with its
     * first run: the layers step 0.5 to 1.2 s, then 0 to 0.1 s). A dedicated VM keeps PCI for its
     * few disks: there the SCSI drivers' load made a cold busybox run 2.4 s slower (20.1 against
     * 17.7 s, medians of 3).
     */
    static final int SHARED_PCI_DISKS = 1;

    UtilityVm(String name, Mode mode, Vm vm, AgentClient agent, String bootId, FileSharing sharing) {
        this.name = name;
        this.mode = mode;
        this.vm = vm;
        this.agent = agent;
        this.bootId = bootId;
        this.layers = new VmLayers(name, vm, agent, mode == Mode.SHARED ? SHARED_PCI_DISKS : Vm.PCI_HOTPLUG_DISKS);
        this.shares = new VmShares(name, vm, agent, sharing);
    }

    /**
     * How long the agent of a VM started from a template may take to answer: it was running when
     * the template was saved, so it answers at once; a VM that does not is booted instead.
     */
    static final Duration TEMPLATE_TIMEOUT = Duration.ofSeconds(30);

    /** Boots a VM from {@code config} and waits until its agent answers. */
    static UtilityVm boot(dev.skiff.vm.VmDriver driver, VmConfig config, Mode mode, FileSharing sharing) throws IOException {
        return boot(driver, config, mode, sharing, null, null);
    }

    /**
     * Starts a VM of {@code config} from {@code template} when there is one, else boots it, and
     * waits until its agent answers. A template that fails (QEMU refuses its state, or the agent
     * stays silent) is discarded and the VM booted: a template saves time, it is never a reason
     * for a start to fail.
     */
    static UtilityVm boot(dev.skiff.vm.VmDriver driver, VmConfig config, Mode mode, FileSharing sharing,
                          dev.skiff.vm.VmTemplate template, VmTemplates templates) throws IOException {
        if (template != null) {
            Vm vm = null;
            try {
                long t0 = System.nanoTime();
                vm = driver.startFrom(config, template);
                UtilityVm u = ready(vm, config, mode, sharing, TEMPLATE_TIMEOUT);
                LOG.log(System.Logger.Level.INFO, "VM " + config.name() + " started from template " + template.key()
                        + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms (boot id " + u.bootId() + ")");
                return u;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "VM " + config.name() + " did not start from template "
                        + template.key() + " (" + e.getMessage() + "); the template is discarded and the VM booted");
                if (templates != null) {
                    templates.discard(template);
                }
            }
        }
        return ready(driver.start(config), config, mode, sharing, BOOT_TIMEOUT);
    }

    /** Waits for the agent of a VM just started, sets its clock if it came from a template, and takes its scratch disk. */
    private static UtilityVm ready(Vm vm, VmConfig config, Mode mode, FileSharing sharing, Duration timeout)
            throws IOException {
        AgentClient agent = null;
        try {
            agent = AgentClient.over(vm.channel(GuestPaths.AGENT_PORT).connect());
            agent.ping(timeout);
            if (vm.fromTemplate()) {
                agent.setClock(java.time.Instant.now()); // the guest's clock resumed the template's
            }
            if (config.disks().stream().anyMatch(d -> d.serial().equals(SCRATCH_SERIAL))) {
                agent.addScratch("scratch", SCRATCH_SERIAL);
            }
            String bootId = agent.guestInfo().getBootId();
            return new UtilityVm(config.name(), mode, vm, agent, bootId, sharing);
        } catch (IOException | RuntimeException e) {
            if (agent != null) {
                agent.close();
            }
            vm.kill();
            throw new IOException("utility VM " + config.name() + " did not come up: " + e.getMessage()
                    + " (console log: " + vm.consoleLog() + ")", e);
        }
    }

    static final String SCRATCH_SERIAL = "scratch";

    /**
     * A VM an earlier daemon started (found again after a restart): the layers and shares it
     * already has are read back from the VM's record of what was hot-plugged.
     */
    public static UtilityVm attached(Vm vm, AgentClient agent, String bootId, FileSharing sharing) {
        Mode mode = vm.name().equals(Placement.SHARED_NAME) ? Mode.SHARED : Mode.DEDICATED;
        UtilityVm u = new UtilityVm(vm.name(), mode, vm, agent, bootId, sharing);
        for (DiskSpec d : vm.hotpluggedDisks()) {
            u.layers.pluggedEarlier(d);
        }
        u.shares.countFromPlugged();
        return u;
    }

    public String name() {
        return name;
    }

    public Mode mode() {
        return mode;
    }

    public Vm vm() {
        return vm;
    }

    public AgentClient agent() {
        return agent;
    }

    public String bootId() {
        return bootId;
    }

    public Set<String> containers() {
        return containers;
    }

    public boolean scratch() {
        return true;
    }

    /** Where a layer's disk image is on the host, by diffID. */
    @FunctionalInterface
    public interface LayerDisks {
        Path disk(String diffId) throws IOException;
    }

    /**
     * The storage ids of an image's layers in this VM, lowest first, plugging in and mounting the
     * layers it lacks; {@code user}, the container that uses them from now on until
     * {@link #releaseLayers}, or null (a preload). See {@link VmLayers#layers}.
     */
    public List<String> layers(String user, List<String> diffIds, LayerDisks disks) throws IOException {
        return layers.layers(user, diffIds, disks);
    }

    /** A preload's plug: the layers are used by no container. */
    public List<String> layers(List<String> diffIds, LayerDisks disks) throws IOException {
        return layers.layers(null, diffIds, disks);
    }

    /** The container no longer uses this VM's layers (it left the VM): they may be unplugged. */
    public void releaseLayers(String user) {
        layers.release(user);
    }

    /** After a daemon restart: the container uses these layers, as it did before. */
    public void useLayers(String user, List<String> diffIds) {
        layers.use(user, diffIds);
    }

    /** How many containers use the layer (tests, logs). */
    public int layerUsers(String diffId) {
        return layers.users(diffId);
    }

    /**
     * Unplugs the layers no container of this VM uses and that {@code gone} says the image store
     * no longer has; returns their diffIds. See {@link VmLayers#unplugUnused}.
     */
    public List<String> unplugUnusedLayers(java.util.function.Predicate<String> gone) {
        return layers.unplugUnused(gone);
    }


    /**
     * Serves {@code dir} to the guest as a share of its own (over virtio-fs where the daemon prefers
     * it and the VM allows, else 9P on a virtio-serial port), mounts it in the guest, and returns
     * the storage id. The server itself enforces read-only. A read-write share is watched through
     * {@code watch} (when given), and what changes in its folder outside this guest is replayed
     * through the guest's mount, so its containers' inotify watches hear it (a read-only mount
     * cannot replay: its containers hear only their VM's own changes). {@code onlyName}, for the
     * bind of one file, limits the watch to that name in {@code dir}; null watches the whole tree.
     */
    public String share(Path dir, boolean readOnly, HostWatch watch, String onlyName) throws IOException {
        return shares.share(dir, readOnly, watch, onlyName);
    }

    /**
     * Takes up a share an earlier daemon made, which the guest still has mounted, and watches its
     * folder again. 9P: a new server on its port, the same export; the guest's relay brings the
     * new server to the state of the kernel's session (its open files and locks) before the
     * kernel's next request. virtio-fs: its back-end never stopped (it lives in the share host,
     * since QEMU 7.2's device takes no new back-end); one that did not outlive its daemon is refused.
     */
    public void reshare(String storageId, Path dir, boolean readOnly, HostWatch watch, String onlyName) throws IOException {
        shares.reshare(storageId, dir, readOnly, watch, onlyName);
    }

    /**
     * How the storage {@code storageId} of a container's bind reaches the guest, as docker inspect
     * shows it: "9p", "virtiofs", or "socket" for a forwarded socket ({@link #forwardSocket}).
     */
    public static String bindTransport(String storageId) {
        return storageId.startsWith(SOCKET_PREFIX) ? "socket" : VmShares.transportOf(storageId).label();
    }

    /** A host socket the guest reaches over TCP on the uplink, presenting a token; closing it revokes the token. */
    public interface RelayedSocket extends AutoCloseable {
        int port();

        byte[] token();

        @Override
        void close();
    }

    private static final String SOCKET_PREFIX = "sock-";

    /**
     * Makes a unix socket in the guest whose connections reach the host socket behind {@code ticket}
     * (through the host's relay), and returns its storage id; {@link #unshare} revokes
     * the ticket. The id is random: one counted from 1 could meet a socket an earlier daemon made.
     */
    public String forwardSocket(RelayedSocket ticket) throws IOException {
        String storageId = SOCKET_PREFIX + java.util.HexFormat.of().toHexDigits(RANDOM.nextLong());
        sockets.put(storageId, ticket);
        try {
            agent.addSocketForward(storageId, GuestNetwork.HOST_ADDRESS, ticket.port(), ticket.token());
        } catch (AgentException e) {
            sockets.remove(storageId);
            ticket.close();
            throw e;
        }
        return storageId;
    }

    /**
     * Takes up a forwarded socket an earlier daemon made in this VM ({@link #forwardSocket}), with
     * its ticket live again: {@link #unshare} revokes it as for one made here.
     */
    public void adoptSocket(String storageId, RelayedSocket ticket) {
        RelayedSocket old = sockets.put(storageId, ticket);
        if (old != null && old != ticket) {
            old.close();
        }
    }

    /**
     * Unmounts a share in the guest, ends its server and unplugs its device (a port, of which a VM
     * has 128, or a virtio-fs device), or removes a forwarded socket and revokes its ticket. A share
     * the guest cannot unmount keeps its device: unplugging it under a mounted file system would
     * fail that mount's every call.
     */
    public void unshare(String storageId) {
        boolean unmounted = true;
        try {
            agent.removeStorage(storageId);
        } catch (AgentException e) {
            // the VM may be gone (nothing to unmount then), or the mount is still in use
            unmounted = e.vmGone() || e.code() == dev.skiff.ttrpc.Code.NOT_FOUND;
        }
        RelayedSocket ticket = sockets.remove(storageId);
        if (ticket != null) {
            ticket.close();
        }
        if (unmounted) {
            shares.unplug(storageId);
        }
    }

    /** The VM's network cards to the switch between VMs, by network id; guarded by this. */
    private final Map<String, NicSpec> nics = new HashMap<>();

    /**
     * The VM's card on a network (plugged on first use, found again after a daemon restart from
     * the VM's record), and whether this call plugged it.
     */
    public synchronized NicSpec nic(String networkId) throws IOException {
        NicSpec nic = nics.get(networkId);
        if (nic != null) {
            return nic;
        }
        String name = "n" + networkId.substring(0, 12);
        for (NicSpec earlier : vm.hotpluggedNics()) {
            if (earlier.name().equals(name)) {
                nics.put(networkId, earlier);
                return earlier;
            }
        }
        byte[] b = new byte[3];
        new java.security.SecureRandom().nextBytes(b);
        nic = new NicSpec(name, String.format("52:54:01:%02x:%02x:%02x", b[0] & 255, b[1] & 255, b[2] & 255));
        vm.hotplugNic(nic);
        nics.put(networkId, nic);
        return nic;
    }

    /** Ports of the VM's uplink that forward to containers, as "tcp/8080". */
    private final Set<String> guestPorts = ConcurrentHashMap.newKeySet();

    /**
     * A port of the VM's uplink for a published port: the host port itself when the VM does not
     * use it yet (two host addresses may publish one port number), else the next free one above
     * 20000.
     */
    public synchronized int claimGuestPort(String protocol, int preferred) {
        if (guestPorts.add(protocol + "/" + preferred)) {
            return preferred;
        }
        for (int p = 20000; p <= 65535; p++) {
            if (guestPorts.add(protocol + "/" + p)) {
                return p;
            }
        }
        throw new IllegalStateException("VM " + name + " has no free " + protocol + " port left for forwards");
    }

    /** The VM's port {@code port} itself, or -1 if a forward already uses it. */
    public synchronized int claimExactGuestPort(String protocol, int port) {
        return guestPorts.add(protocol + "/" + port) ? port : -1;
    }

        public synchronized void releaseGuestPort(String protocol, int port) {
        guestPorts.remove(protocol + "/" + port);
    }

    public boolean alive() {
        return !vm.exit().isDone();
    }

    /**
     * Presses the VM's power button (the agent, as PID 1, powers the guest off on it), waits 20 s
     * for the guest to end, then has the hypervisor end it; kills it if that fails.
     */
    public void stop() {
        try {
            vm.stop(Duration.ofSeconds(20));
        } catch (IOException e) {
            vm.kill();
        } finally {
            agent.close();
            sockets.values().forEach(RelayedSocket::close);
            sockets.clear();
            // a dedicated VM's shares are not unshared one by one: they end with it, servers and roots too
            shares.closeAll();
        }
    }
}
