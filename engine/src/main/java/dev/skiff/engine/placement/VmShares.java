package dev.skiff.engine.placement;

import dev.skiff.agent.api.AgentProtocol;
import dev.skiff.agent.api.FileChange;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.engine.mount.HostWatch;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.fs.replay.HostChange;
import dev.skiff.p9.fs.replay.ReplayTarget;
import dev.skiff.p9.fs.replay.ReplayingFileSystem;
import dev.skiff.p9.server.Export;
import dev.skiff.p9.server.Server;
import dev.skiff.vm.Vm;
import dev.skiff.virtiofs.host.VirtioFsBackends;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The host folders one VM's containers bind, each served to the guest as a share of its own: over
 * 9P on a virtio-serial port of its own (a session per share, so locks taken through one mount are
 * seen through another), or over a virtio-fs device of its own (FUSE on vhost-user, the guest's
 * RAM mapped by the server, no relay). Both serve the same {@link ReplayingFileSystem} over
 * {@link Passthrough}, so the file-system semantics, the export's confinement, read-only and the
 * replay of host changes for inotify are one implementation. A 9P server runs in this process
 * (the guest's relay takes a new daemon's server up again); a virtio-fs back-end runs where
 * {@link FileSharing#virtioFs()} puts it (a daemon's outlives it, in its share host).
 *
 * <p>The transport is chosen per share: virtio-fs when the daemon prefers it and the VM's RAM is
 * shared memory, 9P otherwise. The storage id says which: {@code share-N} is 9P on port
 * {@code p9.N}, {@code vfs-N} is virtio-fs with tag {@code vfs-N}.
 */
final class VmShares {
    private static final System.Logger LOG = System.getLogger(VmShares.class.getName());
    /** How long a share's server may take to end once its connection is closed (it only drops its files). */
    private static final Duration SERVER_END = Duration.ofSeconds(10);
    /** How long a change this VM's guest made is taken as the cause of a host event (TCG is slow). */
    private static final Duration ECHO_WINDOW = Duration.ofSeconds(2);

    static final String NINE_P_PREFIX = "share-";
    static final String VIRTIO_FS_PREFIX = "vfs-";
    private static final String PORT_PREFIX = "p9.";

    private final String vmName;
    private final Vm vm;
    private final AgentClient agent;
    private final FileSharing sharing;
    private final Map<String, Share> shares = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();
    private final Object slots = new Object();
    /** virtio-fs devices being plugged, not yet in the VM's record; guarded by {@link #slots}. */
    private int plugging;

    /** How one share reaches the guest: a server and the device the guest mounts. */
    private sealed interface Link {
        /** The server's side of replaying host changes into the guest. */
        ReplayTarget target();

        /** Has the agent mount the device as storage {@code storageId}. */
        void mount(AgentClient agent, String storageId, boolean readOnly, boolean wholeTree) throws AgentException;

        /**
         * Ends the server (the session's files go with it) and, while the VM runs, unplugs the
         * device; the guest has unmounted it. Each link knows its order.
         */
        void release(Vm vm, boolean alive) throws IOException;
    }

    private record NinePLink(String port, SocketChannel channel, Thread server, ReplayingFileSystem target) implements Link {
        @Override
        public void mount(AgentClient agent, String storageId, boolean readOnly, boolean wholeTree) throws AgentException {
            agent.addShare(storageId, port, "", readOnly, wholeTree);
        }

        /** The server first: its reader ends when its channel closes, then the port goes (a VM has 128). */
        @Override
        public void release(Vm vm, boolean alive) throws IOException {
            try {
                channel.close();
                server.join(SERVER_END.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(target);
            if (alive) {
                vm.unplugChannel(port);
            }
        }
    }

    /**
     * The device first: QEMU stops the device's rings with the back-end's help while it unplugs
     * it, then drops the socket, which ends the session.
     */
    private record VirtioFsLink(String tag, VirtioFsBackends.ServedShare target) implements Link {
        @Override
        public void mount(AgentClient agent, String storageId, boolean readOnly, boolean wholeTree) throws AgentException {
            agent.addVirtioFsShare(storageId, tag, readOnly, wholeTree);
        }

        @Override
        public void release(Vm vm, boolean alive) throws IOException {
            try {
                if (alive) {
                    vm.unplugFilesystem(tag);
                }
            } finally {
                target.close();
            }
        }
    }

    /** A share's link (its server, its export's root, its device) and its host watch once there is one. */
    private record Share(Link link, AtomicReference<HostWatch.Share> watching) {}

    VmShares(String vmName, Vm vm, AgentClient agent, FileSharing sharing) {
        this.vmName = vmName;
        this.vm = vm;
        this.agent = agent;
        this.sharing = sharing;
    }

    /** After a daemon restart: counts on from the shares an earlier daemon plugged into the VM. */
    void countFromPlugged() {
        int n = 0;
        for (String ch : vm.hotpluggedChannels()) {
            n = Math.max(n, number(ch, PORT_PREFIX));
        }
        for (String tag : vm.hotpluggedFilesystems()) {
            n = Math.max(n, number(tag, VIRTIO_FS_PREFIX));
        }
        counter.set(n);
    }

    private static int number(String name, String prefix) {
        if (name.startsWith(prefix)) {
            try {
                return Integer.parseInt(name.substring(prefix.length()));
            } catch (NumberFormatException ignored) {
                // not one of ours
            }
        }
        return 0;
    }

    /** The transport a new share in this VM gets. */
    ShareTransport transport() {
        return sharing.preferred() == ShareTransport.VIRTIO_FS && vm.sharedMemory() ? ShareTransport.VIRTIO_FS
                : ShareTransport.NINE_P;
    }

    /** The transport of an existing share, from its storage id. */
    static ShareTransport transportOf(String storageId) {
        return storageId.startsWith(VIRTIO_FS_PREFIX) ? ShareTransport.VIRTIO_FS : ShareTransport.NINE_P;
    }

    /**
     * The transport for a new share, a virtio-fs slot taken if it is virtio-fs: past the bridge's
     * {@link Vm#FILESYSTEM_SLOTS} devices a VM's further shares go over 9P (128 ports) instead of failing.
     */
    private ShareTransport reserveTransport() {
        if (transport() != ShareTransport.VIRTIO_FS) {
            return ShareTransport.NINE_P;
        }
        synchronized (slots) {
            if (vm.hotpluggedFilesystems().size() + plugging >= Vm.FILESYSTEM_SLOTS) {
                LOG.log(System.Logger.Level.INFO, vmName + ": all " + Vm.FILESYSTEM_SLOTS
                        + " virtio-fs slots in use; this share goes over 9P");
                return ShareTransport.NINE_P;
            }
            plugging++;
            return ShareTransport.VIRTIO_FS;
        }
    }

    /** See {@link UtilityVm#share}. */
    String share(Path dir, boolean readOnly, HostWatch watch, String onlyName) throws IOException {
        ShareTransport transport = reserveTransport();
        int n = counter.incrementAndGet();
        boolean watched = watch != null && !readOnly;
        String storageId = (transport == ShareTransport.VIRTIO_FS ? VIRTIO_FS_PREFIX : NINE_P_PREFIX) + n;
        Link link;
        if (transport == ShareTransport.VIRTIO_FS) {
            try {
                link = plugVirtioFs(storageId, dir, readOnly);
            } finally {
                synchronized (slots) {
                    plugging--; // in the VM's record now, or not plugged
                }
            }
        } else {
            link = serveNineP(PORT_PREFIX + n, () -> vm.hotplugChannel(PORT_PREFIX + n), dir, readOnly);
        }
        shares.put(storageId, new Share(link, new AtomicReference<>()));
        try {
            link.mount(agent, storageId, readOnly, watched && onlyName == null);
            if (watched) {
                watch(storageId, link.target(), dir, watch, onlyName);
            }
        } catch (AgentException e) {
            unplug(storageId);
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, vmName + ": " + storageId + " serves " + dir + (readOnly ? " (read-only)" : "")
                + " over " + transport.label());
        return storageId;
    }

    /** The virtio-fs device's back-end listens first: QEMU connects and negotiates during the plug. */
    private VirtioFsLink plugVirtioFs(String tag, Path dir, boolean readOnly) throws IOException {
        VirtioFsBackends.ServedShare served = sharing.virtioFs().serve(new VirtioFsBackends.ShareSpec(vmName, tag,
                vm.filesystemSocket(tag), dir, readOnly, AgentProtocol.REPLAY_UID, ECHO_WINDOW));
        try {
            vm.hotplugFilesystem(tag);
        } catch (IOException | RuntimeException e) {
            served.close();
            throw e;
        }
        return new VirtioFsLink(tag, served);
    }

    /** A port's channel: a new one hot-plugged, or one an earlier daemon plugged. */
    private interface PortSource {
        dev.skiff.vm.channel.Channel get() throws IOException;
    }

    private static NinePLink serveNineP(String port, PortSource source, Path dir, boolean readOnly) throws IOException {
        ReplayingFileSystem fs = new ReplayingFileSystem(new Passthrough(dir), ECHO_WINDOW, AgentProtocol.REPLAY_UID);
        try {
            SocketChannel ch = (SocketChannel) source.get().connect();
            Server server = new Server(new Export(dir.toString(), fs, readOnly, null));
            return new NinePLink(port, ch, server.start(ch), fs);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fs);
            throw e;
        }
    }

    /** See {@link UtilityVm#reshare}. */
    void reshare(String storageId, Path dir, boolean readOnly, HostWatch watch, String onlyName) throws IOException {
        if (storageId.startsWith(VIRTIO_FS_PREFIX) && !shares.containsKey(storageId)) {
            readopt(storageId, dir, readOnly, watch, onlyName);
            return;
        }
        if (!storageId.startsWith(NINE_P_PREFIX) || shares.containsKey(storageId)) {
            throw new IOException("storage " + storageId + " is not a share of an earlier daemon in VM " + vmName);
        }
        String port = PORT_PREFIX + storageId.substring(NINE_P_PREFIX.length());
        if (!vm.hotpluggedChannels().contains(port)) {
            throw new IOException("VM " + vmName + " no longer has port " + port + " for storage " + storageId);
        }
        NinePLink link = serveNineP(port, () -> vm.channel(port), dir, readOnly);
        shares.put(storageId, new Share(link, new AtomicReference<>()));
        if (watch != null && !readOnly) {
            watch(storageId, link.target(), dir, watch, onlyName);
        }
    }

    /**
     * A virtio-fs share an earlier daemon made: its back-end lives on in the share host, serving
     * the guest's mount all along; this daemon takes it up (to release it later) and watches its
     * folder again. A back-end that ended with its daemon (an in-process one) is refused.
     */
    private void readopt(String storageId, Path dir, boolean readOnly, HostWatch watch, String onlyName) throws IOException {
        if (!vm.hotpluggedFilesystems().contains(storageId)) {
            throw new IOException("VM " + vmName + " no longer has the virtio-fs device of storage " + storageId
                    + "; restart the container");
        }
        VirtioFsBackends.ServedShare served = sharing.virtioFs().adopt(vmName, storageId);
        if (!served.dir().toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize()) || served.readOnly() != readOnly) {
            throw new IOException("virtio-fs storage " + storageId + " of VM " + vmName + " serves " + served.dir()
                    + (served.readOnly() ? " (read-only)" : "") + ", not " + dir + (readOnly ? " (read-only)" : ""));
        }
        VirtioFsLink link = new VirtioFsLink(storageId, served);
        shares.put(storageId, new Share(link, new AtomicReference<>()));
        if (watch != null && !readOnly) {
            watch(storageId, link.target(), dir, watch, onlyName);
        }
    }

    private void watch(String storageId, ReplayTarget target, Path dir, HostWatch watch, String onlyName) throws IOException {
        shares.get(storageId).watching().set(watch.watch(dir, onlyName, target.echoes(),
                changes -> replay(storageId, target, changes)));
    }

    /** Has the guest perform host changes again through its mount of a share, the server expecting each. */
    private void replay(String storageId, ReplayTarget target, List<HostChange> changes) throws AgentException, IOException {
        try (ReplayTarget.Expectation expected = target.expect(changes)) {
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
                // Usually a container that used a new name before its replay (the guest knows it already):
                // that one event is not raised. Said once per batch, so a watcher that misses one can be told why.
                LOG.log(System.Logger.Level.INFO, vmName + ": " + r.getFailedCount() + " of " + todo.size()
                        + " host changes could not be replayed in " + storageId + " (their inotify events are not raised);"
                        + " first: " + r.getFailed(0));
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

    /**
     * Ends a share's server, releases its export and unplugs its device. The guest has unmounted it
     * (or the VM is gone). A share an earlier daemon made has no server here: its device goes.
     */
    void unplug(String storageId) {
        Share share = shares.remove(storageId);
        boolean alive = !vm.exit().isDone();
        if (share == null) {
            if (alive) {
                unplugEarlier(storageId);
            }
            return;
        }
        HostWatch.Share watching = share.watching().get();
        if (watching != null) {
            watching.close(); // no more replays into a share that is going
        }
        try {
            share.link().release(vm, alive);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, vmName + ": " + storageId + " stays plugged: " + e.getMessage());
        }
    }

    private void unplugEarlier(String storageId) {
        try {
            if (storageId.startsWith(NINE_P_PREFIX)) {
                String port = PORT_PREFIX + storageId.substring(NINE_P_PREFIX.length());
                if (vm.hotpluggedChannels().contains(port)) {
                    vm.unplugChannel(port);
                }
            } else if (storageId.startsWith(VIRTIO_FS_PREFIX)) {
                if (vm.hotpluggedFilesystems().contains(storageId)) {
                    vm.unplugFilesystem(storageId);
                }
                releaseEarlierBackend(storageId);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, vmName + ": " + storageId + " stays plugged: " + e.getMessage());
        }
    }

    /** The back-end of an earlier daemon's virtio-fs share, where one outlived its daemon (in the share host). */
    private void releaseEarlierBackend(String storageId) {
        try {
            sharing.virtioFs().releaseEarlier(vmName, storageId);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, vmName + ": " + storageId + "'s back-end not released: " + e.getMessage());
        }
    }

    /** Every share, as the VM stops: servers end and roots close with it. */
    void closeAll() {
        for (String storageId : List.copyOf(shares.keySet())) {
            unplug(storageId);
        }
    }

    private static void closeQuietly(ReplayingFileSystem fs) {
        try {
            fs.close(); // the export's root descriptor
        } catch (IOException ignored) {
            // a close that fails has released the descriptor all the same
        }
    }
}
