package dev.skiff.engine.placement;

import dev.skiff.agent.api.FileChange;
import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.engine.mount.HostWatch;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.fs.replay.HostChange;
import dev.skiff.p9.fs.replay.ReplayingFileSystem;
import dev.skiff.p9.server.Export;
import dev.skiff.p9.server.Server;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.NicSpec;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmConfig;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One utility VM as the engine uses it: the VM, the agent client on its channel, the layer disks
 * already plugged in (a layer is plugged once per VM and shared by its containers), the 9P
 * shares it serves, and the containers placed on it.
 */
public final class UtilityVm {
    /** Generous: under TCG on a loaded 2-core host a boot can take several times its usual 10 s. */
    private static final System.Logger LOG = System.getLogger(UtilityVm.class.getName());
    public static final Duration BOOT_TIMEOUT = Duration.ofSeconds(180);
    /** How long a share's 9P server may take to end once its channel is closed (it only drops its files). */
    private static final Duration SERVER_END = Duration.ofSeconds(10);

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
    private final Map<String, Share> shares = new ConcurrentHashMap<>(); // storage id -> its port and server end
    private final Map<String, RelayedSocket> sockets = new ConcurrentHashMap<>(); // storage id -> its forward
    private final AtomicInteger shareCounter = new AtomicInteger();

    UtilityVm(String name, Mode mode, Vm vm, AgentClient agent, String bootId) {
        this.name = name;
        this.mode = mode;
        this.vm = vm;
        this.agent = agent;
        this.bootId = bootId;
        this.layers = new VmLayers(name, vm, agent);
    }

    /** Boots a VM from {@code config} and waits until its agent answers. */
    static UtilityVm boot(dev.skiff.vm.VmDriver driver, VmConfig config, Mode mode) throws IOException {
        Vm vm = driver.start(config);
        AgentClient agent = null;
        try {
            agent = AgentClient.over(vm.channel(GuestPaths.AGENT_PORT).connect());
            agent.ping(BOOT_TIMEOUT);
            if (config.disks().stream().anyMatch(d -> d.serial().equals(SCRATCH_SERIAL))) {
                agent.addScratch("scratch", SCRATCH_SERIAL);
            }
            String bootId = agent.guestInfo().getBootId();
            return new UtilityVm(config.name(), mode, vm, agent, bootId);
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
    public static UtilityVm attached(Vm vm, AgentClient agent, String bootId) {
        Mode mode = vm.name().equals(Placement.SHARED_NAME) ? Mode.SHARED : Mode.DEDICATED;
        UtilityVm u = new UtilityVm(vm.name(), mode, vm, agent, bootId);
        for (DiskSpec d : vm.hotpluggedDisks()) {
            u.layers.pluggedEarlier(d);
        }
        int shares = 0;
        for (String ch : vm.hotpluggedChannels()) {
            if (ch.startsWith(PORT_PREFIX)) {
                try {
                    shares = Math.max(shares, Integer.parseInt(ch.substring(PORT_PREFIX.length())));
                } catch (NumberFormatException ignored) {
                    // not one of ours
                }
            }
        }
        u.shareCounter.set(shares);
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
     * Serves {@code dir} to the guest over a new virtio-serial port with its own 9P session, mounts
     * it in the guest, and returns the storage id. The server itself enforces read-only. A
     * read-write share is watched through {@code watch} (when given), and what changes in its folder
     * outside this guest is replayed through the guest's mount, so its containers' inotify watches
     * hear it (a read-only mount cannot replay: its containers hear only their VM's own changes).
     * {@code onlyName}, for the bind of one file, limits the watch to that name in {@code dir}; null
     * watches the whole tree.
     */
    public String share(Path dir, boolean readOnly, HostWatch watch, String onlyName) throws IOException {
        String storageId = SHARE_PREFIX + shareCounter.incrementAndGet();
        String port = portOf(storageId);
        ReplayingFileSystem fs = serve(storageId, port, () -> vm.hotplugChannel(port), dir, readOnly);
        try {
            boolean watched = watch != null && !readOnly;
            agent.addShare(storageId, port, "", readOnly, watched && onlyName == null);
            if (watched) {
                watch(storageId, fs, dir, watch, onlyName);
            }
        } catch (AgentException e) {
            unplug(storageId);
            throw e;
        }
        return storageId;
    }

    /**
     * Serves a share an earlier daemon made, which the guest still has mounted: a new 9P server on
     * its port, the same export and watch. The guest's relay brings the new server to the state
     * of the kernel's session (its open files and locks) before the kernel's next request.
     */
    public void reshare(String storageId, Path dir, boolean readOnly, HostWatch watch, String onlyName) throws IOException {
        if (!storageId.startsWith(SHARE_PREFIX) || shares.containsKey(storageId)) {
            throw new IOException("storage " + storageId + " is not a share of an earlier daemon in VM " + name);
        }
        String port = portOf(storageId);
        if (!vm.hotpluggedChannels().contains(port)) {
            throw new IOException("VM " + name + " no longer has port " + port + " for storage " + storageId);
        }
        ReplayingFileSystem fs = serve(storageId, port, () -> vm.channel(port), dir, readOnly);
        if (watch != null && !readOnly) {
            watch(storageId, fs, dir, watch, onlyName);
        }
    }

    /** The port's channel, plugged in now or found plugged. */
    @FunctionalInterface
    private interface PortChannel {
        dev.skiff.vm.channel.Channel open() throws IOException;
    }

    /** Starts the export's 9P server on the port's host end and records the share; its file system. */
    private ReplayingFileSystem serve(String storageId, String port, PortChannel channel, Path dir, boolean readOnly)
            throws IOException {
        ReplayingFileSystem fs = new ReplayingFileSystem(new Passthrough(dir), ECHO_WINDOW);
        SocketChannel ch;
        try {
            ch = (SocketChannel) channel.open().connect();
        } catch (IOException | RuntimeException e) {
            fs.close();
            throw e;
        }
        Server server = new Server(new Export(dir.toString(), fs, readOnly, null));
        shares.put(storageId, new Share(port, ch, server.start(ch), fs, new AtomicReference<>()));
        return fs;
    }

    private void watch(String storageId, ReplayingFileSystem fs, Path dir, HostWatch watch, String onlyName) throws IOException {
        shares.get(storageId).watching().set(watch.watch(dir, onlyName, fs.ownChanges(),
                changes -> replay(storageId, fs, changes)));
    }

    /** How long a change this VM's guest made is taken as the cause of a host event (TCG is slow). */
    private static final Duration ECHO_WINDOW = Duration.ofSeconds(2);

    /** Has the guest perform host changes again through its mount of a share, the server expecting each. */
    private void replay(String storageId, ReplayingFileSystem fs, List<HostChange> changes) throws AgentException {
        try (ReplayingFileSystem.Replay expected = fs.expect(changes)) {
            List<FileChange> todo = new ArrayList<>();
            for (HostChange c : changes) {
                if (!expected.skipped().contains(c)) {
                    todo.add(proto(c));
                }
            }
            if (todo.isEmpty()) {
                return;
            }
            var r = agent.replayChanges(storageId, todo);
            if (r.getFailedCount() > 0) {
                LOG.log(System.Logger.Level.DEBUG, name + ": " + r.getFailedCount() + " replayed changes failed in "
                        + storageId + ", first: " + r.getFailed(0));
            }
        }
    }

    private static FileChange proto(HostChange c) {
        FileChange.Builder b = FileChange.newBuilder();
        return switch (c) {
            case HostChange.Created x -> b.setKind(FileChange.Kind.CREATED).setPath(x.path()).setDirectory(x.directory()).build();
            case HostChange.Deleted x -> b.setKind(FileChange.Kind.DELETED).setPath(x.path()).setDirectory(x.directory()).build();
            case HostChange.Moved x -> b.setKind(FileChange.Kind.MOVED).setPath(x.from()).setToPath(x.to())
                    .setDirectory(x.directory()).build();
            case HostChange.Modified x -> b.setKind(FileChange.Kind.MODIFIED).setPath(x.path()).build();
            case HostChange.Written x -> b.setKind(FileChange.Kind.WRITTEN).setPath(x.path()).build();
            case HostChange.AttributesChanged x -> b.setKind(FileChange.Kind.ATTRIBUTES_CHANGED).setPath(x.path()).build();
        };
    }

    private static final String SHARE_PREFIX = "share-";
    private static final String PORT_PREFIX = "p9.";

    /** Share n's storage id is "share-n" and its virtio-serial port "p9.n": one follows from the other. */
    private static String portOf(String shareStorageId) {
        return PORT_PREFIX + shareStorageId.substring(SHARE_PREFIX.length());
    }

    /**
     * A share's port, the host end its 9P server reads, the server's thread, the export (its root
     * descriptor), and its host watch once there is one.
     */
    private record Share(String port, SocketChannel channel, Thread server, ReplayingFileSystem fs,
            AtomicReference<HostWatch.Share> watching) {}

    /** A host socket the guest reaches over TCP on the uplink, presenting a token; closing it revokes the token. */
    public interface RelayedSocket extends AutoCloseable {
        int port();

        byte[] token();

        @Override
        void close();
    }

    /**
     * Makes a unix socket in the guest whose connections reach the host socket behind {@code ticket}
     * (through the host's relay), and returns its storage id; {@link #unshare} revokes
     * the ticket. The id is random: one counted from 1 could meet a socket an earlier daemon made.
     */
    public String forwardSocket(RelayedSocket ticket) throws IOException {
        String storageId = "sock-" + java.util.HexFormat.of().toHexDigits(RANDOM.nextLong());
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
     * Unmounts a share in the guest, ends its 9P server and unplugs its port (a VM has 128), or
     * removes a forwarded socket and revokes its ticket. A share the guest cannot unmount keeps its
     * port: unplugging it under a mounted file system would fail that mount's every call.
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
            unplug(storageId);
        }
    }

    private void unplug(String storageId) {
        Share share = shares.remove(storageId);
        if (share == null) {
            // a share an earlier daemon made: its server died with that daemon, its port is still plugged
            String port = storageId.startsWith(SHARE_PREFIX) ? portOf(storageId) : null;
            if (port != null && alive() && vm.hotpluggedChannels().contains(port)) {
                unplugPort(port);
            }
            return;
        }
        HostWatch.Share watching = share.watching().get();
        if (watching != null) {
            watching.close(); // no more replays into a share that is going
        }
        try {
            share.channel().close(); // the server's reader ends, and with it the session's files
            share.server().join(SERVER_END.toMillis());
        } catch (IOException ignored) {
            // closed already
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            share.fs().close(); // the export's root descriptor
        } catch (IOException ignored) {
            // a close that fails has released the descriptor all the same
        }
        if (alive()) {
            unplugPort(share.port());
        }
    }

    private void unplugPort(String port) {
        try {
            vm.unplugChannel(port);
        } catch (IOException e) {
            // the port stays plugged; only its place on the bus is lost
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
            for (String storageId : java.util.List.copyOf(shares.keySet())) {
                unplug(storageId);
            }
        }
    }
}
