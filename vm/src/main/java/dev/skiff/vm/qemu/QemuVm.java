package dev.skiff.vm.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.RunDirs;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmConfig;
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

/**
 * One QEMU process. The exit is detected from the process itself (not from QMP, which a crashed
 * QEMU cannot send); QMP's SHUTDOWN event only tells who asked for it. When the process ends the
 * QMP connection is closed and the run folder with its sockets removed, whoever ended it.
 */
final class QemuVm implements Vm {
    private final VmConfig config;
    private final QemuCommandLine.Plan plan;
    private final Process process;
    private final Path stderr;
    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final CompletableFuture<VmExit> exit = new CompletableFuture<>();
    private volatile QmpClient qmp;
    private volatile VmState state = VmState.STARTING;
    private volatile boolean guestShutdown;
    private volatile boolean stopRequested;
    private volatile boolean killRequested;
    private int hotplugged;

    QemuVm(VmConfig config, QemuCommandLine.Plan plan, Process process, Path stderr) {
        this.config = config;
        this.plan = plan;
        this.process = process;
        this.stderr = stderr;
        for (String ch : config.channels()) {
            channels.put(ch, new UnixSocketChannel(ch, QemuCommandLine.channelSocket(plan.runDir(), ch)));
        }
    }

    void attach(QmpClient client) {
        this.qmp = client;
        this.state = VmState.RUNNING;
        process.onExit().thenRun(this::onProcessExit);
    }

    void onEvent(JsonNode event) {
        if ("SHUTDOWN".equals(event.path("event").asText()) && event.path("data").path("guest").asBoolean(false)) {
            guestShutdown = true;
        }
    }

    private void onProcessExit() {
        state = VmState.EXITED;
        int code = process.exitValue();
        VmExit.Reason reason;
        String detail = "";
        if (killRequested) {
            reason = VmExit.Reason.KILLED;
        } else if (stopRequested) {
            reason = VmExit.Reason.STOPPED;
            if (!guestShutdown) {
                detail = "the guest did not power off on the ACPI power button; QEMU was told to quit";
            }
        } else if (guestShutdown) {
            reason = VmExit.Reason.GUEST_POWEROFF;
        } else {
            reason = VmExit.Reason.DIED;
            detail = code > 128 ? "QEMU was killed by signal " + (code - 128) : tail(stderr);
        }
        QmpClient q = qmp;
        if (q != null) {
            q.close();
        }
        RunDirs.delete(plan.runDir());
        exit.complete(new VmExit(reason, code, detail));
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
        return ch;
    }

    @Override
    public synchronized void hotplugDisk(DiskSpec disk) throws IOException {
        requireRunning("attach disk " + disk.serial());
        if (!Files.isRegularFile(disk.image())) {
            throw new VmException("disk image " + disk.image() + " does not exist");
        }
        String node = "disk" + (++hotplugged);
        qmp.execute("blockdev-add", Map.of("driver", "raw", "node-name", node, "read-only", disk.readOnly(),
                "file", Map.of("driver", "file", "filename", disk.image().toString(), "read-only", disk.readOnly())),
                QemuDriver.QMP_TIMEOUT);
        try {
            qmp.execute("device_add", Map.of("driver", "virtio-blk-pci", "drive", node, "id", "dev-" + node,
                    "serial", disk.serial()), QemuDriver.QMP_TIMEOUT);
        } catch (IOException e) {
            qmp.execute("blockdev-del", Map.of("node-name", node), QemuDriver.QMP_TIMEOUT);
            throw e;
        }
    }

    @Override
    public Path consoleLog() {
        return plan.consoleLog();
    }

    @Override
    public VmExit stop(Duration grace) throws IOException {
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
    public VmExit kill() {
        if (!exit.isDone()) {
            killRequested = true;
            process.destroyForcibly();
        }
        return exit.join();
    }

    @Override
    public void close() {
        kill();
    }

    @Override
    public long pid() {
        return process.pid();
    }

    List<String> commandLine() {
        return QemuCommandLine.build(plan);
    }

    private void requireRunning(String what) throws VmException {
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
