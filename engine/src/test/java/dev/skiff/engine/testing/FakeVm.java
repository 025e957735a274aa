package dev.skiff.engine.testing;

import dev.skiff.agent.api.GuestPaths;
import dev.skiff.vm.DiskBus;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.HostForward;
import dev.skiff.vm.NicSpec;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmConfig;
import dev.skiff.vm.VmException;
import dev.skiff.vm.VmExit;
import dev.skiff.vm.VmState;
import dev.skiff.vm.channel.Channel;
import java.io.Closeable;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link Vm} with no hypervisor: its agent channel reaches a new {@link InMemoryAgent} over a
 * connected pair of unix sockets; hot-plugs (disks, channels, NICs, host forwards) are recorded;
 * stop and kill end the agent (its connections drop, as a VM's would) and complete {@link #exit()}.
 * The first 16 disks go on "PCI", the rest on "SCSI", as the QEMU driver places them.
 */
public final class FakeVm implements Vm {

    private final VmConfig config;
    private final String id;
    private final long pid;
    private final Path dir;
    private final InMemoryAgent agent;
    private final CompletableFuture<VmExit> exit = new CompletableFuture<>();
    private final List<DiskSpec> disks = new CopyOnWriteArrayList<>();
    private final List<String> channels = new CopyOnWriteArrayList<>();
    private final List<String> unplugged = new CopyOnWriteArrayList<>();
    private final List<String> unpluggedDisks = new CopyOnWriteArrayList<>();
    private volatile Runnable beforeUnplugDisk = () -> { };
    private final List<NicSpec> nics = new CopyOnWriteArrayList<>();
    private final List<HostForward> forwards = new CopyOnWriteArrayList<>();
    private final List<Closeable> guestEnds = new CopyOnWriteArrayList<>(); // the guest's ends of channels
    private volatile boolean detached;

    FakeVm(VmConfig config, String id, long pid, Path dir, java.util.function.Function<List<String>, Program> programs)
            throws IOException {
        this.config = config;
        this.id = id;
        this.pid = pid;
        this.dir = Files.createDirectories(dir);
        this.agent = new InMemoryAgent(programs, () -> end(VmExit.Reason.GUEST_POWEROFF, 0), this.dir.resolve("roots"));
    }

    /** The agent inside. */
    public InMemoryAgent agent() {
        return agent;
    }

    public VmConfig config() {
        return config;
    }

    /** The channels unplugged so far, in order. */
    public List<String> unpluggedChannels() {
        return List.copyOf(unplugged);
    }

    public List<HostForward> hostForwards() {
        return List.copyOf(forwards);
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public VmState state() {
        return exit.isDone() ? VmState.EXITED : VmState.RUNNING;
    }

    @Override
    public long pid() {
        return pid;
    }

    @Override
    public CompletableFuture<VmExit> exit() {
        return exit;
    }

    @Override
    public Channel channel(String name) throws VmException {
        running();
        if (!config.channels().contains(name) && !channels.contains(name)) {
            throw new VmException("VM " + name() + " has no channel " + name);
        }
        return new Channel() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public ByteChannel connect() throws IOException {
                running();
                SocketChannel[] pair = socketPair();
                guestEnds.add(pair[1]);
                if (name.equals(GuestPaths.AGENT_PORT)) {
                    agent.serve(pair[1]);
                }
                return pair[0];
            }
        };
    }

    @Override
    public Channel hotplugChannel(String name) throws IOException {
        running();
        VmConfig.checkChannelName(name);
        if (channels.contains(name) || config.channels().contains(name)) {
            throw new VmException("VM " + name() + " already has a channel " + name);
        }
        channels.add(name);
        return channel(name);
    }

    @Override
    public void unplugChannel(String name) throws IOException {
        running();
        if (!channels.remove(name)) {
            throw new VmException("VM " + name() + " has no hot-plugged channel " + name);
        }
        unplugged.add(name);
    }

    @Override
    public DiskBus hotplugDisk(DiskSpec disk, int pciDisks) throws IOException {
        running();
        if (!Files.exists(disk.image())) {
            throw new VmException("no disk image " + disk.image());
        }
        for (DiskSpec d : disks) {
            if (d.serial().equals(disk.serial())) {
                throw new VmException("VM " + name() + " already has a disk with serial " + disk.serial());
            }
        }
        disks.add(disk);
        return disks.size() <= Math.min(pciDisks, PCI_HOTPLUG_DISKS) ? DiskBus.PCI : DiskBus.SCSI;
    }

    @Override
    public void unplugDisk(String serial) throws IOException {
        running();
        beforeUnplugDisk.run(); // a test may hold the unplug here, as a guest slow to give a PCI disk up
        if (!disks.removeIf(d -> d.serial().equals(serial))) {
            throw new VmException("VM " + name() + " has no hot-plugged disk with serial " + serial);
        }
        unpluggedDisks.add(serial);
    }

    /** Runs at the start of each disk unplug (a test holds it there). */
    public void beforeUnplugDisk(Runnable hook) {
        beforeUnplugDisk = hook;
    }

    /** The serials of the disks unplugged so far, in order. */
    public List<String> unpluggedDisks() {
        return List.copyOf(unpluggedDisks);
    }

    @Override
    public void addHostForward(HostForward forward) throws IOException {
        running();
        forwards.add(forward);
    }

    @Override
    public void removeHostForward(HostForward forward) throws IOException {
        running();
        forwards.remove(forward);
    }

    /**
     * Records the card and listens on its socket, as QEMU's stream netdev does: the guest's side
     * of each connection takes every frame and sends none (no guest network stack here).
     */
    @Override
    public Path hotplugNic(NicSpec nic) throws IOException {
        running();
        Path socket = nicSocket(nic.name());
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        guestEnds.add(server);
        Thread.ofVirtual().name("nic-" + nic.name()).start(() -> {
            try {
                while (true) {
                    SocketChannel port = server.accept();
                    guestEnds.add(port);
                    Thread.ofVirtual().start(() -> drain(port));
                }
            } catch (IOException closed) {
                // the VM ended
            }
        });
        nics.add(nic);
        return socket;
    }

    private static void drain(SocketChannel port) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(64 * 1024);
        try (port) {
            while (port.read(buffer.clear()) >= 0) {
                // frames to the guest go nowhere
            }
        } catch (IOException closed) {
            // the switch or the VM went
        }
    }

    @Override
    public Path nicSocket(String name) throws VmException {
        return dir.resolve("nic-" + name + ".sock");
    }

    @Override
    public List<NicSpec> hotpluggedNics() {
        return List.copyOf(nics);
    }

    @Override
    public Path consoleLog() {
        return dir.resolve("console.log");
    }

    private volatile Path templateRam; // set when started to become a template
    private volatile boolean fromTemplate;

    void startedForTemplate(Path ram) {
        this.templateRam = ram;
    }

    void startedFromTemplate() {
        this.fromTemplate = true;
    }

    /** Writes a state file beside the template's RAM, as QEMU's migration would, and ends. */
    @Override
    public void saveTemplate(Path state) throws IOException {
        if (templateRam == null) {
            throw new VmException("VM " + name() + " was not started to become a template");
        }
        Files.writeString(state, "state of " + name());
        end(VmExit.Reason.STOPPED, 0);
    }

    @Override
    public boolean fromTemplate() {
        return fromTemplate;
    }

    @Override
    public VmExit stop(Duration grace) throws IOException {
        end(VmExit.Reason.STOPPED, 0);
        return exit.join();
    }

    @Override
    public VmExit kill() {
        end(VmExit.Reason.KILLED, 137);
        return exit.isCompletedExceptionally() ? null : exit.join();
    }

    @Override
    public List<DiskSpec> hotpluggedDisks() {
        return List.copyOf(disks);
    }

    @Override
    public List<String> hotpluggedChannels() {
        return List.copyOf(channels);
    }

    private volatile boolean sharedMemory;
    private final List<String> filesystems = new CopyOnWriteArrayList<>();

    /**
     * Makes this VM's RAM count as shared memory, so that virtio-fs devices plug: recorded, with
     * the real bridge's number of slots, though nothing connects to their back-ends.
     */
    public void shareMemory() {
        sharedMemory = true;
    }

    @Override
    public boolean sharedMemory() {
        return sharedMemory;
    }

    @Override
    public Path filesystemSocket(String tag) {
        return dir.resolve("fs-" + tag + ".sock");
    }

    @Override
    public synchronized void hotplugFilesystem(String tag) throws IOException {
        if (!sharedMemory) {
            throw new VmException("VM " + name() + " cannot take virtio-fs devices: its RAM is not shared memory");
        }
        if (filesystems.size() >= Vm.FILESYSTEM_SLOTS) {
            throw new VmException("VM " + name() + ": no free slot for virtio-fs " + tag);
        }
        filesystems.add(tag);
    }

    @Override
    public void unplugFilesystem(String tag) throws IOException {
        if (!filesystems.remove(tag)) {
            throw new VmException("VM " + name() + " has no virtio-fs device " + tag);
        }
    }

    @Override
    public List<String> hotpluggedFilesystems() {
        return List.copyOf(filesystems);
    }

    @Override
    public void detach() {
        if (exit.isDone()) {
            return;
        }
        detached = true;
        exit.completeExceptionally(new VmException("VM " + name() + " was detached"));
    }

    @Override
    public void close() {
        if (!detached) {
            kill();
        }
    }

    /** Whether the VM was stopped or killed (not detached), once it has exited. */
    public boolean exited() {
        return exit.isDone() && !exit.isCompletedExceptionally();
    }

    private void end(VmExit.Reason reason, int code) {
        synchronized (this) {
            if (exit.isDone()) {
                return;
            }
            agent.close(); // the guest's connections drop first, then its processes die with it
            for (Closeable c : guestEnds) {
                try {
                    c.close();
                } catch (IOException ignored) {
                    // closed already
                }
            }
        }
        exit.complete(new VmExit(reason, code, ""));
    }

    private void running() throws VmException {
        if (detached) {
            throw new VmException("VM " + name() + " was detached");
        }
        if (exit.isDone()) {
            throw new VmException("VM " + name() + " has exited: " + exit.join());
        }
    }

    /** A connected pair of unix stream sockets: [host end, guest end]. */
    private SocketChannel[] socketPair() throws IOException {
        // short: a unix socket path has 108 bytes
        Path path = Files.createTempFile(dir, "c", ".s");
        Files.delete(path);
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            SocketChannel host = SocketChannel.open(UnixDomainSocketAddress.of(path));
            return new SocketChannel[] {host, listener.accept()};
        } finally {
            Files.deleteIfExists(path);
        }
    }

    @Override
    public String toString() {
        return "FakeVm[" + name() + " " + id + (exit.isDone() ? " exited" : "") + "]";
    }
}
