package dev.skiff.vm.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.RunDirs;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmConfig;
import dev.skiff.vm.DiskBus;
import dev.skiff.vm.VmException;
import dev.skiff.vm.VmExit;
import dev.skiff.vm.VmState;
import dev.skiff.vm.channel.Channel;
import dev.skiff.vm.channel.UnixSocketChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One QEMU process, started here or attached to from a record an earlier process left (see
 * {@link RunRecord}). The exit is detected from the process itself (not from QMP, which a crashed
 * QEMU cannot send); QMP's SHUTDOWN event only tells who asked for it. When the process ends the
 * QMP connection is closed and the run folder with its sockets removed, whoever ended it.
 *
 * <p>A QEMU started by an earlier process is not this process's child, so its exit status cannot
 * be had (only a parent can wait(2) for it): its exit is seen through
 * {@link ProcessHandle#onExit()} (which polls for non-children) or, sooner, through the QMP socket
 * closing followed by /proc showing the process gone, and its exit code is
 * {@link VmExit#UNKNOWN_CODE} unless this process asked for the ending.
 */
final class QemuVm implements Vm {
    private final VmConfig config;
    private final QemuCommandLine.Plan plan;
    /** Null when attached: QEMU is then not our child. */
    private final Process process;
    private final ProcessHandle handle;
    /** QEMU's start time from /proc, to make sure a signal goes to QEMU and not to a reused pid. */
    private final long startTime;
    private final Path stderr;
    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final CompletableFuture<VmExit> exit = new CompletableFuture<>();
    /** device_del requests waiting for their DEVICE_DELETED event, by device id. */
    private final Map<String, CompletableFuture<Void>> deletions = new java.util.concurrent.ConcurrentHashMap<>();
    private RunRecord record;
    private volatile QmpClient qmp;
    private volatile VmState state = VmState.STARTING;
    private volatile boolean guestShutdown;
    private volatile boolean stopRequested;
    private volatile boolean killRequested;
    private volatile boolean detached;
    private int hotplugged;

    /**
     * @param process QEMU as our child, or null when attaching to one an earlier process started
     */
    QemuVm(RunRecord record, QemuCommandLine.Plan plan, Process process, ProcessHandle handle) {
        this.config = record.config();
        this.record = record;
        this.plan = plan;
        this.process = process;
        this.handle = handle;
        this.startTime = record.startTime();
        this.stderr = QemuDriver.stderrFile(plan.runDir());
        this.hotplugged = record.hotplugDisks().size();
        for (String ch : record.allChannels()) {
            channels.put(ch, new UnixSocketChannel(ch, QemuCommandLine.channelSocket(plan.runDir(), ch)));
        }
    }

    /** Takes the QMP connection and starts watching for the exit. */
    void connected(QmpClient client) throws IOException {
        this.qmp = client;
        if (process != null) {
            process.onExit().thenRun(() -> onProcessExit(process.exitValue()));
        } else {
            syncDiskNodes(client);
            handle.onExit().thenRun(() -> onProcessExit(null));
            client.closed().thenRun(() -> Thread.ofVirtual().name("qemu-exit-" + handle.pid()).start(this::awaitGone));
        }
        this.state = VmState.RUNNING;
    }

    /**
     * Hot-plugged disks get node names disk1, disk2, ...; a process killed between blockdev-add
     * and writing the record leaves a node the record does not know, so count from QEMU's own list.
     */
    private void syncDiskNodes(QmpClient client) throws IOException {
        JsonNode nodes = client.execute("query-named-block-nodes", null, QemuDriver.QMP_TIMEOUT);
        for (JsonNode n : nodes) {
            Matcher m = DISK_NODE.matcher(n.path("node-name").asText());
            if (m.matches()) {
                hotplugged = Math.max(hotplugged, Integer.parseInt(m.group(1)));
            }
        }
    }

    private static final Pattern DISK_NODE = Pattern.compile("disk([0-9]{1,9})");

    /**
     * QMP closed on an attached VM: QEMU is exiting, or gone. Wait (briefly, with growing pauses)
     * for /proc to show it ended; a zombie counts, as its new parent may be slow to reap it.
     */
    private void awaitGone() {
        long deadline = System.nanoTime() + QemuDriver.QMP_TIMEOUT.toNanos();
        long pause = 1;
        while (!exit.isDone() && !detached && System.nanoTime() < deadline) {
            if (!ProcStat.alive(handle.pid(), startTime)) {
                onProcessExit(null);
                return;
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
            pause = Math.min(pause * 2, 100);
        }
        // still there: ProcessHandle.onExit sees the end whenever it comes
    }

    void onEvent(JsonNode event) {
        String name = event.path("event").asText();
        if ("SHUTDOWN".equals(name) && event.path("data").path("guest").asBoolean(false)) {
            guestShutdown = true;
        } else if ("DEVICE_DELETED".equals(name)) {
            CompletableFuture<Void> f = deletions.remove(event.path("data").path("device").asText());
            if (f != null) {
                f.complete(null);
            }
        }
    }

    /** @param code QEMU's exit status, or null when QEMU is not our child and it cannot be known */
    private void onProcessExit(Integer code) {
        awaitQmpDrained();
        synchronized (exit) {
            if (detached || exit.isDone()) {
                return;
            }
            state = VmState.EXITED;
            VmExit.Reason reason;
            String detail = "";
            int status;
            if (killRequested) {
                reason = VmExit.Reason.KILLED;
                status = code != null ? code : 128 + 9; // we sent the SIGKILL
            } else if (stopRequested) {
                reason = VmExit.Reason.STOPPED;
                status = code != null ? code : 0;
                if (!guestShutdown) {
                    detail = "the guest did not power off on the ACPI power button; QEMU was told to quit";
                }
            } else if (guestShutdown) {
                reason = VmExit.Reason.GUEST_POWEROFF;
                status = code != null ? code : 0;
            } else {
                reason = VmExit.Reason.DIED;
                status = code != null ? code : VmExit.UNKNOWN_CODE;
                detail = code == null ? "QEMU ended unasked; it was started by an earlier process, so its exit status "
                        + "is unknown: " + tail(stderr)
                        : code > 128 ? "QEMU was killed by signal " + (code - 128) : tail(stderr);
            }
            QmpClient q = qmp;
            if (q != null) {
                q.close();
            }
            RunDirs.delete(plan.runDir());
            exit.complete(new VmExit(reason, status, detail));
        }
    }

    /**
     * QEMU sends SHUTDOWN on QMP before it exits, but the process's end can be seen before the
     * reader thread has read that event (VmIT once saw a guest's power-off reported as DIED, under
     * load). Unless we killed it, read QMP to its end first: with QEMU gone the end of the socket
     * comes at once, so the bound only matters if the socket is somehow still open. A stop needs it
     * too: it tells a guest that powered off on the button from one QEMU was told to quit (VmIT
     * once saw the first reported as the second).
     */
    private void awaitQmpDrained() {
        QmpClient q = qmp;
        if (q == null || guestShutdown || killRequested) {
            return;
        }
        try {
            q.closed().get(2, TimeUnit.SECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // judged on what was read so far
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String id() {
        return plan.runDir().getFileName().toString();
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public VmState state() {
        return state;
    }

    @Override
    public CompletableFuture<VmExit> exit() {
        return exit;
    }

    @Override
    public synchronized Channel channel(String name) throws VmException {
        requireRunning("open channel " + name);
        Channel ch = channels.get(name);
        if (ch == null) {
            throw new VmException("VM " + name() + " has no channel named " + name);
        }
        return ch;
    }

    @Override
    public synchronized Channel hotplugChannel(String name) throws IOException {
        VmConfig.checkChannelName(name);
        requireRunning("add channel " + name);
        if (channels.containsKey(name)) {
            throw new VmException("VM " + name() + " already has a channel named " + name);
        }
        Path socket = QemuCommandLine.channelSocket(plan.runDir(), name);
        String id = "ch-" + name;
        qmp.execute("chardev-add", Map.of("id", id, "backend", Map.of("type", "socket", "data", Map.of(
                "addr", Map.of("type", "unix", "data", Map.of("path", socket.toString())),
                "server", true, "wait", false))), QemuDriver.QMP_TIMEOUT);
        try {
            qmp.execute("device_add", Map.of("driver", "virtserialport", "bus", QemuCommandLine.SERIAL_BUS + ".0",
                    "chardev", id, "name", name, "id", "port-" + name), QemuDriver.QMP_TIMEOUT);
        } catch (IOException e) {
            qmp.execute("chardev-remove", Map.of("id", id), QemuDriver.QMP_TIMEOUT);
            throw e;
        }
        Channel ch = new UnixSocketChannel(name, socket);
        channels.put(name, ch);
        record = record.withChannel(name);
        remember("channel " + name);
        return ch;
    }

    @Override
    public void unplugChannel(String name) throws IOException {
        synchronized (this) {
            requireRunning("remove channel " + name);
            if (!record.hotplugChannels().contains(name)) {
                throw new VmException("VM " + name() + " has no hot-plugged channel named " + name);
            }
        }
        deleteDevice("port-" + name, "port " + name);
        synchronized (this) {
            qmp.execute("chardev-remove", Map.of("id", "ch-" + name), QemuDriver.QMP_TIMEOUT);
            channels.remove(name);
            record = record.withoutChannel(name);
            remember("state (channel " + name + " removed)");
        }
    }

    /**
     * {@code device_del}, then waits for QEMU's {@code DEVICE_DELETED} event (a PCI device goes
     * only when the guest has let it go), never a fixed pause.
     */
    private void deleteDevice(String device, String what) throws IOException {
        CompletableFuture<Void> deleted = new CompletableFuture<>();
        synchronized (this) {
            requireRunning("remove " + what);
            deletions.put(device, deleted); // before device_del: the event may come before its reply
            try {
                qmp.execute("device_del", Map.of("id", device), QemuDriver.QMP_TIMEOUT);
            } catch (IOException e) {
                deletions.remove(device);
                throw e;
            }
        }
        try {
            deleted.get(QemuDriver.QMP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            deletions.remove(device);
            throw new VmException("VM " + name() + " did not report " + what + " removed within "
                    + QemuDriver.QMP_TIMEOUT.toSeconds() + " s; it stays plugged");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while removing " + what);
        }
    }

    @Override
    public boolean sharedMemory() {
        return plan.sharedMemory();
    }

    @Override
    public Path filesystemSocket(String tag) throws VmException {
        checkTag(tag);
        return QemuCommandLine.filesystemSocket(plan.runDir(), tag);
    }

    /** virtio-fs tags: the config space holds 36 bytes; ours are also safe in QMP ids and file names. */
    private static void checkTag(String tag) throws VmException {
        if (!tag.matches("[a-z0-9][a-z0-9-]{0,35}")) {
            throw new VmException("virtio-fs tag \"" + tag + "\" must be 1 to 36 of a-z, 0-9 and -");
        }
    }

    /**
     * chardev-add connects to the back-end's socket at once; device_add then has QEMU negotiate
     * with it (features, memory table) before it answers. A 1024-entry queue lets the guest send
     * 1 MiB requests (the kernel caps a request's pages at the queue size).
     */
    @Override
    public synchronized void hotplugFilesystem(String tag) throws IOException {
        checkTag(tag);
        requireRunning("add virtio-fs " + tag);
        if (!plan.sharedMemory()) {
            throw new VmException("VM " + name() + " cannot take virtio-fs devices: its RAM is not shared memory");
        }
        if (record.hotplugFilesystems().contains(tag)) {
            throw new VmException("VM " + name() + " already has a virtio-fs device " + tag);
        }
        String id = "fs-" + tag;
        qmp.execute("chardev-add", Map.of("id", id, "backend", Map.of("type", "socket", "data", Map.of(
                "addr", Map.of("type", "unix", "data", Map.of("path", filesystemSocket(tag).toString())),
                "server", false))), QemuDriver.QMP_TIMEOUT);
        try {
            qmp.execute("device_add", Map.of("driver", "vhost-user-fs-pci", "bus", QemuCommandLine.FS_BRIDGE,
                    "chardev", id, "tag", tag, "queue-size", 1024, "id", "dev-" + id), QemuDriver.QMP_TIMEOUT);
        } catch (IOException e) {
            qmp.execute("chardev-remove", Map.of("id", id), QemuDriver.QMP_TIMEOUT);
            throw e;
        }
        record = record.withFilesystem(tag, true);
        remember("virtio-fs " + tag);
    }

    @Override
    public void unplugFilesystem(String tag) throws IOException {
        synchronized (this) {
            requireRunning("remove virtio-fs " + tag);
            if (!record.hotplugFilesystems().contains(tag)) {
                throw new VmException("VM " + name() + " has no virtio-fs device " + tag);
            }
        }
        deleteDevice("dev-fs-" + tag, "virtio-fs " + tag);
        synchronized (this) {
            qmp.execute("chardev-remove", Map.of("id", "fs-" + tag), QemuDriver.QMP_TIMEOUT);
            record = record.withFilesystem(tag, false);
            remember("state (virtio-fs " + tag + " removed)");
        }
    }

    @Override
    public synchronized java.util.List<String> hotpluggedFilesystems() {
        return java.util.List.copyOf(record.hotplugFilesystems());
    }

    @Override
    public synchronized DiskBus hotplugDisk(DiskSpec disk, int pciDisks) throws IOException {
        requireRunning("attach disk " + disk.serial());
        if (!Files.isRegularFile(disk.image())) {
            throw new VmException("disk image " + disk.image() + " does not exist");
        }
        // In plug order, as the record keeps them: the same count after a daemon re-attaches
        DiskBus bus = record.hotplugDisks().size() < Math.min(pciDisks, PCI_HOTPLUG_DISKS) ? DiskBus.PCI : DiskBus.SCSI;
        String node = "disk" + (++hotplugged);
        qmp.execute("blockdev-add", Map.of("driver", "raw", "node-name", node, "read-only", disk.readOnly(),
                "file", Map.of("driver", "file", "filename", disk.image().toString(), "read-only", disk.readOnly())),
                QemuDriver.QMP_TIMEOUT);
        try {
            if (bus == DiskBus.SCSI) {
                try {
                    qmp.execute("device_add", Map.of("driver", "scsi-hd", "bus", QemuCommandLine.SCSI_BUS + ".0",
                            "drive", node, "id", "dev-" + node, "serial", disk.serial()), QemuDriver.QMP_TIMEOUT);
                } catch (VmException e) {
                    // QEMU 7.2 says "Bus 'scsi0.0' not found" on a VM an older daemon booted,
                    // before there was a controller: a PCI slot then, while one is free
                    if (!e.getMessage().contains("'" + QemuCommandLine.SCSI_BUS + ".0' not found")) {
                        throw e;
                    }
                    bus = DiskBus.PCI;
                }
            }
            if (bus == DiskBus.PCI) {
                qmp.execute("device_add", Map.of("driver", "virtio-blk-pci", "drive", node, "id", "dev-" + node,
                        "serial", disk.serial()), QemuDriver.QMP_TIMEOUT);
            }
        } catch (IOException e) {
            qmp.execute("blockdev-del", Map.of("node-name", node), QemuDriver.QMP_TIMEOUT);
            throw e;
        }
        record = record.withDisk(disk);
        remember("disk " + disk.serial());
        return bus;
    }

    /**
     * How long a disk's device may take to go: a PCI disk goes only once the guest has answered
     * the ACPI eject, which under emulation on a loaded host can take many seconds.
     */
    static final java.time.Duration UNPLUG_TIMEOUT = java.time.Duration.ofSeconds(90);

    /**
     * {@code device_del} of the disk's device, then (on QEMU's {@code DEVICE_DELETED} event, never
     * after a fixed pause) {@code blockdev-del} of its node, which closes the image file. The
     * node is found in QEMU's own list by the image's file name (node names are counted from 1 by
     * each process and are not in the record). A device or node an earlier process already
     * removed before it could write the record is not an error: what is left goes.
     */
    @Override
    public void unplugDisk(String serial) throws IOException {
        DiskSpec disk;
        String node;
        CompletableFuture<Void> deleted = new CompletableFuture<>();
        String device;
        synchronized (this) {
            requireRunning("detach disk " + serial);
            disk = record.hotplugDisks().stream().filter(d -> d.serial().equals(serial)).findFirst()
                    .orElseThrow(() -> new VmException("VM " + name() + " has no hot-plugged disk with serial " + serial));
            node = diskNode(disk.image());
            if (node == null) {
                // blockdev-del done by a process that died before it could write the record
                record = record.withoutDisk(serial);
                remember("state (disk " + serial + " removed)");
                return;
            }
            device = "dev-" + node;
            deletions.put(device, deleted); // before device_del: the event may come before its reply
            try {
                qmp.execute("device_del", Map.of("id", device), QemuDriver.QMP_TIMEOUT);
            } catch (VmException e) {
                deletions.remove(device);
                if (!e.getMessage().contains("not found")) {
                    throw new VmException("cannot detach disk " + serial + " from VM " + name() + ": " + e.getMessage(), e);
                }
                deleted.complete(null); // its device is gone already; its node is left
            } catch (IOException e) {
                deletions.remove(device);
                throw e;
            }
        }
        try {
            deleted.get(UNPLUG_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            deletions.remove(device);
            throw new VmException("VM " + name() + " did not report disk " + serial + " (" + device + ") removed within "
                    + UNPLUG_TIMEOUT.toSeconds() + " s; the guest may not have answered the eject, and the disk stays");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while detaching disk " + serial);
        }
        synchronized (this) {
            requireRunning("detach disk " + serial);
            // The device is gone from the guest: the record drops the disk even if the node stays.
            record = record.withoutDisk(serial);
            remember("state (disk " + serial + " removed)");
            try {
                qmp.execute("blockdev-del", Map.of("node-name", node), QemuDriver.QMP_TIMEOUT);
            } catch (VmException e) {
                // The guest no longer has the disk, which is what the caller asked; only QEMU's
                // hold on the file is left, until the VM ends. Not an error to the caller, who
                // would otherwise take the disk for still plugged.
                System.getLogger(QemuVm.class.getName()).log(System.Logger.Level.WARNING, "disk " + serial
                        + " left VM " + name() + ", but QEMU keeps its node " + node + " and the file open: "
                        + e.getMessage());
            }
        }
    }

    /** The node name ("diskN") QEMU has for a hot-plugged image, or null if it has none. */
    private String diskNode(Path image) throws IOException {
        JsonNode nodes = qmp.execute("query-named-block-nodes", null, QemuDriver.QMP_TIMEOUT);
        for (JsonNode n : nodes) {
            String name = n.path("node-name").asText();
            if (DISK_NODE.matcher(name).matches() && image.toString().equals(n.path("file").asText())) {
                return name;
            }
        }
        return null;
    }

    @Override
    public synchronized void addHostForward(dev.skiff.vm.HostForward f) throws IOException {
        String rule = f.protocol() + ":" + f.hostAddress() + ":" + f.hostPort() + "-" + plan.config().uplink().guest()
                + ":" + f.guestPort();
        String out = hostForwardCommand("hostfwd_add " + QemuCommandLine.UPLINK_NETDEV + " " + rule, f);
        if (!out.isBlank()) {
            // QEMU answers "Could not set up host forwarding rule '...'" when bind(2) fails.
            throw new VmException("cannot forward host port " + (f.hostAddress().isEmpty() ? "0.0.0.0" : f.hostAddress())
                    + ":" + f.hostPort() + "/" + f.protocol() + " into VM " + name() + ": " + out.strip());
        }
    }

    @Override
    public synchronized void removeHostForward(dev.skiff.vm.HostForward f) throws IOException {
        String out = hostForwardCommand("hostfwd_remove " + QemuCommandLine.UPLINK_NETDEV + " " + f.protocol() + ":"
                + f.hostAddress() + ":" + f.hostPort(), f);
        // QEMU prints "host forwarding rule for tcp:...:P removed", or "... not found" when it was not there.
        if (!out.isBlank() && !out.contains("removed") && !out.contains("not found")) {
            throw new VmException("cannot remove the forward of host port " + f.hostPort() + "/" + f.protocol()
                    + " from VM " + name() + ": " + out.strip());
        }
    }

    /** Runs a hostfwd monitor command (QMP has none for it) and returns what it printed. */
    private String hostForwardCommand(String commandLine, dev.skiff.vm.HostForward f) throws IOException {
        requireRunning("forward host port " + f.hostPort());
        if (plan.config().uplink() == null) {
            throw new VmException("VM " + name() + " has no network card to forward host port " + f.hostPort() + " to");
        }
        var answer = qmp.execute("human-monitor-command", Map.of("command-line", commandLine), QemuDriver.QMP_TIMEOUT);
        return answer == null || answer.isNull() ? "" : answer.asText("");
    }

    @Override
    public synchronized java.util.List<dev.skiff.vm.DiskSpec> hotpluggedDisks() {
        return java.util.List.copyOf(record.hotplugDisks());
    }

    @Override
    public synchronized Path hotplugNic(dev.skiff.vm.NicSpec nic) throws IOException {
        requireRunning("add network card " + nic.name());
        if (record.hotplugNics().stream().anyMatch(n -> n.name().equals(nic.name()))) {
            throw new VmException("VM " + name() + " already has a network card named " + nic.name());
        }
        Path socket = QemuCommandLine.nicSocket(plan.runDir(), nic.name());
        String netdev = "net-" + nic.name();
        qmp.execute("netdev_add", Map.of("type", "stream", "id", netdev, "server", true,
                "addr", Map.of("type", "unix", "path", socket.toString())), QemuDriver.QMP_TIMEOUT);
        try {
            qmp.execute("device_add", Map.of("driver", "virtio-net-pci", "netdev", netdev, "mac", nic.mac(),
                    "id", "nic-" + nic.name(), "romfile", ""), QemuDriver.QMP_TIMEOUT);
        } catch (IOException e) {
            qmp.execute("netdev_del", Map.of("id", netdev), QemuDriver.QMP_TIMEOUT);
            throw e;
        }
        record = record.withNic(nic);
        remember("network card " + nic.name());
        return socket;
    }

    @Override
    public synchronized Path nicSocket(String name) throws VmException {
        if (record.hotplugNics().stream().noneMatch(n -> n.name().equals(name))) {
            throw new VmException("VM " + name() + " has no network card named " + name);
        }
        return QemuCommandLine.nicSocket(plan.runDir(), name);
    }

    @Override
    public synchronized java.util.List<dev.skiff.vm.NicSpec> hotpluggedNics() {
        return java.util.List.copyOf(record.hotplugNics());
    }

    @Override
    public synchronized java.util.List<String> hotpluggedChannels() {
        return java.util.List.copyOf(record.hotplugChannels());
    }

    /** Writes the record after a hot-plug, so a later process knows what the guest has. */
    private void remember(String what) throws VmException {
        try {
            record.write(plan.runDir());
        } catch (VmException e) {
            throw new VmException("the guest has the new " + what + ", but " + e.getMessage()
                    + "; a process that attaches later will not know it", e);
        }
    }

    @Override
    public Path consoleLog() {
        return plan.consoleLog();
    }

    @Override
    public VmExit stop(Duration grace) throws IOException {
        if (detached) {
            throw new VmException("cannot stop VM " + name() + ": " + detachedWhy());
        }
        if (exit.isDone()) {
            return exit.join();
        }
        stopRequested = true;
        state = VmState.STOPPING;
        try {
            qmp.execute("system_powerdown", null, QemuDriver.QMP_TIMEOUT);
            return exit.get(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | IOException e) {
            // the guest ignored the power button, or QMP is gone: end it from the host
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return kill();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        try {
            qmp.execute("quit", null, QemuDriver.QMP_TIMEOUT);
            return exit.get(QemuDriver.QMP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | IOException | ExecutionException e) {
            return kill();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return kill();
        }
    }

    @Override
    public void saveTemplate(Path state) throws IOException {
        QemuCommandLine.Templating t = plan.templating();
        if (t == null || t.incoming()) {
            throw new VmException("VM " + name() + " was not started to become a template");
        }
        requireRunning("save VM " + name() + " as a template");
        stopRequested = true; // its end is asked for: the exit below is no crash
        try {
            Migration.save(qmp, state);
        } finally {
            try {
                qmp.execute("quit", null, QemuDriver.QMP_TIMEOUT);
                exit.get(QemuDriver.QMP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | IOException | ExecutionException e) {
                kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                kill();
            }
        }
    }

    @Override
    public boolean fromTemplate() {
        QemuCommandLine.Templating t = plan.templating();
        return t != null && t.incoming();
    }

    @Override
    public VmExit kill() {
        if (detached) {
            throw new IllegalStateException("cannot kill VM " + name() + ": " + detachedWhy());
        }
        if (!exit.isDone()) {
            killRequested = true;
            if (process != null) {
                process.destroyForcibly();
            } else if (ProcStat.alive(handle.pid(), startTime)) {
                handle.destroyForcibly(); // the start time says the pid is still our QEMU's
            } else {
                onProcessExit(null);
            }
        }
        return exit.join();
    }

    /** Kills the VM if it still runs; does nothing once it is {@linkplain #detach() detached}. */
    @Override
    public void close() {
        if (!detached) {
            kill();
        }
    }

    @Override
    public void detach() {
        synchronized (exit) {
            if (exit.isDone()) {
                return;
            }
            detached = true;
        }
        QmpClient q = qmp;
        if (q != null) {
            q.close();
        }
        exit.completeExceptionally(new VmException("VM " + name() + " was detached from this process: "
                + detachedWhy()));
    }

    private String detachedWhy() {
        return "this process let go of it while QEMU (pid " + handle.pid() + ") kept running; attach to " + id()
                + " again to drive it";
    }

    @Override
    public long pid() {
        return handle.pid();
    }

    List<String> commandLine() {
        return QemuCommandLine.build(plan);
    }

    private void requireRunning(String what) throws VmException {
        if (detached) {
            throw new VmException("cannot " + what + ": VM " + name() + " is detached; " + detachedWhy());
        }
        if (exit.isDone()) {
            throw new VmException("cannot " + what + ": VM " + name() + " has exited, " + exit.join());
        }
        if (state != VmState.RUNNING) {
            throw new VmException("cannot " + what + ": VM " + name() + " is " + state.name().toLowerCase());
        }
    }

    /** The last lines QEMU wrote to stderr, for error messages. */
    static String tail(Path stderr) {
        try {
            if (!Files.exists(stderr)) {
                return "(no output)";
            }
            String[] lines = Files.readString(stderr, StandardCharsets.UTF_8).strip().split("\n");
            int from = Math.max(0, lines.length - 3);
            String t = String.join(" | ", java.util.Arrays.copyOfRange(lines, from, lines.length)).strip();
            return t.isEmpty() ? "(no output)" : t;
        } catch (IOException e) {
            return "(cannot read QEMU's output: " + e.getMessage() + ")";
        }
    }
}
