package dev.skiff.engine.placement;

import dev.skiff.agent.api.AgentProtocol;
import dev.skiff.agent.api.FileChange;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.engine.mount.HostWatch;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.p9.fs.replay.HostChange;
import dev.skiff.p9.fs.replay.ReplayingFileSystem;
import dev.skiff.p9.server.Export;
import dev.skiff.p9.server.Server;
import dev.skiff.vm.Vm;
import dev.skiff.virtiofs.device.VirtioFsServer;
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
 * replay of host changes for inotify are one implementation.
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
    private final ShareTransport preferred;
    private final Map<String, Share> shares = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();

    /** How one share reaches the guest: a server and the device the guest mounts. */
    private sealed interface Link {
        /** Has the agent mount the device as storage {@code storageId}. */
        void mount(AgentClient agent, String storageId, boolean readOnly, boolean wholeTree) throws AgentException;

        /**
         * Ends the server (the session's files go with it) and, while the VM runs, unplugs the
         * device; the guest has unmounted it. Each link knows its order.
         */
        void release(Vm vm, boolean alive) throws IOException;
    }

    private record NinePLink(String port, SocketChannel channel, Thread server) implements Link {
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
            if (alive) {
                vm.unplugChannel(port);
            }
        }
    }

    /**
     * The device first: QEMU stops the device's rings with the back-end's help while it unplugs
     * it, then drops the socket, which ends the session.
     */
    private record VirtioFsLink(String tag, VirtioFsServer server) implements Link {
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
                server.close();
            }
        }
    }

    /** A share's link, its export's file system (its root descriptor) and its host watch once there is one. */
    private record Share(Link link, ReplayingFileSystem fs, AtomicReference<HostWatch.Share> watching) {}

    VmShares(String vmName, Vm vm, AgentClient agent, ShareTransport preferred) {
        this.vmName = vmName;
        this.vm = vm;
        this.agent = agent;
        this.preferred = preferred;
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
        return preferred == ShareTransport.VIRTIO_FS && vm.sharedMemory() ? ShareTransport.VIRTIO_FS : ShareTransport.NINE_P;
    }

    /** The transport of an existing share, from its storage id. */
    static ShareTransport transportOf(String storageId) {
        return storageId.startsWith(VIRTIO_FS_PREFIX) ? ShareTransport.VIRTIO_FS : ShareTransport.NINE_P;
    }

    /** See {@link UtilityVm#share}. */
    String share(Path dir, boolean readOnly, HostWatch watch, String onlyName) throws IOException {
        ShareTransport transport = transport();
        int n = counter.incrementAndGet();
        ReplayingFileSystem fs = new ReplayingFileSystem(new Passthrough(dir), ECHO_WINDOW, AgentProtocol.REPLAY_UID);
        boolean watched = watch != null && !readOnly;
        String storageId = (transport == ShareTransport.VIRTIO_FS ? VIRTIO_FS_PREFIX : NINE_P_PREFIX) + n;
        Link link;
        try {
            link = transport == ShareTransport.VIRTIO_FS ? plugVirtioFs(storageId, fs, readOnly)
                    : serveNineP(PORT_PREFIX + n, vm.hotplugChannel(PORT_PREFIX + n), dir, fs, readOnly);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fs);
            throw e;
        }
        shares.put(storageId, new Share(link, fs, new AtomicReference<>()));
        try {
            link.mount(agent, storageId, readOnly, watched && onlyName == null);
            if (watched) {
                watch(storageId, fs, dir, watch, onlyName);
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
    private VirtioFsLink plugVirtioFs(String tag, ReplayingFileSystem fs, boolean readOnly) throws IOException {
        VirtioFsServer server = VirtioFsServer.listen(vm.filesystemSocket(tag), tag, fs, readOnly);
        server.start(vmName + "-" + tag).exceptionally(e -> {
            LOG.log(System.Logger.Level.WARNING, vmName + ": virtio-fs " + tag + " stopped: " + e.getMessage());
            return null;
        });
        try {
            vm.hotplugFilesystem(tag);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return new VirtioFsLink(tag, server);
    }

    private static NinePLink serveNineP(String port, dev.skiff.vm.channel.Channel channel, Path dir,
            ReplayingFileSystem fs, boolean readOnly) throws IOException {
        SocketChannel ch = (SocketChannel) channel.connect();
        Server server = new Server(new Export(dir.toString(), fs, readOnly, null));
        return new NinePLink(port, ch, server.start(ch));
    }

    /** See {@link UtilityVm#reshare}. */
    void reshare(String storageId, Path dir, boolean readOnly, HostWatch watch, String onlyName) throws IOException {
        if (storageId.startsWith(VIRTIO_FS_PREFIX)) {
            // QEMU 7.2's vhost-user-fs cannot take a new back-end: the guest's mount died with the old daemon
            throw new IOException("storage " + storageId + " was served over virtio-fs by the daemon that ended; "
                    + "its mount cannot be served again (restart the container)");
        }
        if (!storageId.startsWith(NINE_P_PREFIX) || shares.containsKey(storageId)) {
            throw new IOException("storage " + storageId + " is not a share of an earlier daemon in VM " + vmName);
        }
        String port = PORT_PREFIX + storageId.substring(NINE_P_PREFIX.length());
        if (!vm.hotpluggedChannels().contains(port)) {
            throw new IOException("VM " + vmName + " no longer has port " + port + " for storage " + storageId);
        }
        ReplayingFileSystem fs = new ReplayingFileSystem(new Passthrough(dir), ECHO_WINDOW, AgentProtocol.REPLAY_UID);
        try {
            shares.put(storageId, new Share(serveNineP(port, vm.channel(port), dir, fs, readOnly), fs, new AtomicReference<>()));
        } catch (IOException | RuntimeException e) {
            closeQuietly(fs);
            throw e;
        }
        if (watch != null && !readOnly) {
            watch(storageId, fs, dir, watch, onlyName);
        }
    }

    private void watch(String storageId, ReplayingFileSystem fs, Path dir, HostWatch watch, String onlyName) throws IOException {
        shares.get(storageId).watching().set(watch.watch(dir, onlyName, fs.ownChanges(),
                changes -> replay(storageId, fs, changes)));
    }

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
                LOG.log(System.Logger.Level.DEBUG, vmName + ": " + r.getFailedCount() + " replayed changes failed in "
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
        closeQuietly(share.fs());
    }

    private void unplugEarlier(String storageId) {
        try {
            if (storageId.startsWith(NINE_P_PREFIX)) {
                String port = PORT_PREFIX + storageId.substring(NINE_P_PREFIX.length());
                if (vm.hotpluggedChannels().contains(port)) {
                    vm.unplugChannel(port);
                }
            } else if (storageId.startsWith(VIRTIO_FS_PREFIX) && vm.hotpluggedFilesystems().contains(storageId)) {
                vm.unplugFilesystem(storageId);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, vmName + ": " + storageId + " stays plugged: " + e.getMessage());
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
