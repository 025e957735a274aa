package dev.skiff.vm.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.sys.Fds;
import dev.skiff.sys.HostTools;
import dev.skiff.sys.MemFds;
import dev.skiff.vm.Accel;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.RunDirs;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmConfig;
import dev.skiff.vm.VmDriver;
import dev.skiff.vm.VmException;
import dev.skiff.vm.VmExit;
import dev.skiff.vm.VmTemplate;
import java.io.File;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.function.Consumer;

/**
 * Starts VMs as QEMU processes that outlive this one (each in its own session, with no pipes to
 * us), keeps a {@link RunRecord} of each in its run folder, and attaches to them again from a
 * later process ({@link #attach(Path)}, {@link #runningVms()}).
 */
public final class QemuDriver implements VmDriver {
    private static final Logger LOG = System.getLogger(QemuDriver.class.getName());
    /** How long QEMU may take to open its QMP socket after it starts. */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    static final Duration QMP_TIMEOUT = Duration.ofSeconds(30);

    private final Path binary;

    /** The driver for this host's architecture, with {@code qemu-system-x86_64} from $SKIFF_QEMU or {@link #findBinary}. */
    public static QemuDriver create() throws VmException {
        return new QemuDriver(findBinary());
    }

    public QemuDriver(Path binary) {
        this.binary = binary;
    }

    @Override
    public String name() {
        return "qemu";
    }

    /** {@code qemu-system-x86_64} from $SKIFF_QEMU, PATH or the system folders ({@link HostTools}), or an error that says how to install it. */
    public static Path findBinary() throws VmException {
        String env = System.getenv("SKIFF_QEMU");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String name = "qemu-system-x86_64";
        return HostTools.find(name).orElseThrow(() -> new VmException(
                HostTools.missing(name, "qemu-system-x86") + ", or set SKIFF_QEMU to a QEMU binary"));
    }

    @Override
    public Vm start(VmConfig config) throws IOException {
        return launch(config, null, null);
    }

    @Override
    public Vm startTemplate(VmConfig config, Path ram) throws IOException {
        Files.deleteIfExists(ram); // QEMU makes the file, of the RAM's size, sparse
        return launch(config, ram, null);
    }

    @Override
    public Vm startFrom(VmConfig config, VmTemplate template) throws IOException {
        requireFile(template.ram(), "template RAM");
        requireFile(template.state(), "template state");
        String key = templateKey(config);
        if (!template.key().equals(key)) {
            throw new VmException("template " + template.key() + " was made for another VM config than " + config.name()
                    + "'s (" + key + ")");
        }
        return launch(config, null, template);
    }

    /**
     * The key: a digest of everything a template fixes. The files QEMU boots (named by path, size
     * and modification time, so a rebuilt guest image makes a new key), the kernel and init
     * arguments, the RAM, vCPUs and acceleration (TCG's settings too), the channels, the uplink
     * and the disks' serials, modes and sizes (the guest sized them at boot), and QEMU itself.
     */
    @Override
    public String templateKey(VmConfig config) throws IOException {
        if (!sharedMemory()) {
            return null; // the template's RAM is a shared file, as a memfd would be
        }
        Accel accel = AccelProbe.resolve(config.accel(), binary, config.kernel());
        StringBuilder b = new StringBuilder("skiff-vm-template/1\n");
        for (Path f : new Path[] {binary, config.kernel(), config.initrd(), config.mappedImage()}) {
            b.append(f == null ? "-" : f + " " + Files.size(f) + " " + Files.getLastModifiedTime(f).toMillis()).append('\n');
        }
        b.append(config.kernelArgs()).append('\n').append(config.initArgs()).append('\n')
                .append(config.memoryMiB()).append(' ').append(config.cpus()).append(' ').append(accel).append(' ')
                .append(QemuCommandLine.tcgThreads()).append(' ').append(QemuCommandLine.tcgTranslationMiB()).append(' ')
                .append(QemuCommandLine.tcgCpu()).append('\n')
                .append(config.channels()).append('\n').append(config.uplink()).append('\n');
        for (DiskSpec d : config.disks()) {
            b.append(d.serial()).append(' ').append(d.readOnly()).append(' ').append(Files.size(d.image())).append('\n');
        }
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(
                    b.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts QEMU: booting ({@code templateRam} null and {@code from} null), booting to become a
     * template (its RAM in {@code templateRam}), or from a template (its RAM copied into the run
     * folder, the device state loaded, then running again).
     */
    private Vm launch(VmConfig config, Path templateRam, VmTemplate from) throws IOException {
        if (!Files.isExecutable(binary)) {
            throw new VmException("QEMU binary " + binary + " does not exist or is not executable: install QEMU "
                    + "(Debian: apt-get install qemu-system-x86) or set SKIFF_QEMU");
        }
        requireFile(config.kernel(), "kernel");
        requireFile(config.initrd(), "initrd");
        if (config.mappedImage() != null) {
            requireFile(config.mappedImage(), "mapped image");
        }
        for (DiskSpec d : config.disks()) {
            requireFile(d.image(), "disk image");
        }
        Accel accel = AccelProbe.resolve(config.accel(), binary, config.kernel());
        Path runDir = RunDirs.createVmDir(config.name());
        Process process = null;
        QmpClient qmp = null;
        int ramCopy = -1;
        try {
            QemuCommandLine.Templating templating = null;
            if (templateRam != null) {
                templating = new QemuCommandLine.Templating(templateRam, false);
            } else if (from != null) {
                // A copy of its own (the guest writes to its RAM, and vhost-user back-ends map it shared),
                // in a memfd that QEMU opens through /proc, as memory-backend-memfd would make: a file on
                // the host's disk puts every page the guest first writes through the file system (block
                // allocation, zeroing, writeback): a fifth of QEMU's samples in a profile of bind-mount writes.
                ramCopy = MemFds.create("skiff-ram-" + config.name(), 0);
                Path copy = Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + ramCopy);
                SparseCopy.copy(from.ram(), copy);
                templating = new QemuCommandLine.Templating(copy, true);
            }
            Path console = config.consoleLog() != null ? config.consoleLog()
                    : RunDirs.logDir().resolve(runDir.getFileName() + ".console.log");
            Files.createDirectories(console.toAbsolutePath().getParent());
            Path stderr = stderrFile(runDir);
            QemuCommandLine.Plan plan = new QemuCommandLine.Plan(binary, accel, config, runDir.resolve("qmp.sock"),
                    console, runDir, sharedMemory() || templating != null, templating);
            List<String> argv = inOwnSession(QemuCommandLine.build(plan));
            // No pipes: QEMU's stdio is /dev/null and a file, so nothing breaks when this process dies.
            process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(stderr.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            // Fixed at fork, kept across setsid's exec; a start-up death is reported by connectQmp.
            long startTime = ProcStat.read(process.pid()).map(ProcStat::startTime).orElse(-1L);
            RunRecord record = new RunRecord(config, binary, accel, console, process.pid(), startTime,
                    List.of(), List.of(), List.of(), plan.sharedMemory(), List.of());
            QemuVm vm = new QemuVm(record, plan, process, process.toHandle());
            qmp = connectQmp(plan.qmpSocket(), process, stderr, vm::onEvent);
            if (startTime < 0) {
                throw new VmException("cannot read QEMU's start time from /proc/" + process.pid() + "/stat");
            }
            if (from != null) {
                Migration.load(qmp, from.state());
            }
            record.write(runDir);
            vm.connected(qmp);
            return vm;
        } catch (IOException | RuntimeException e) {
            if (qmp != null) {
                qmp.close();
            }
            if (process != null) {
                process.destroyForcibly();
                try {
                    process.waitFor();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            RunDirs.delete(runDir);
            if (e instanceof VmException || e instanceof RuntimeException) {
                throw e;
            }
            // the exception's class too: a bare "No such process" once came from here without saying from where
            throw new VmException("failed to start VM " + config.name() + ": " + e, e);
        } finally {
            // QEMU has the RAM copy mapped once the state is loaded: it goes with QEMU, whoever ends it
            Fds.closeQuietly(ramCopy);
        }
    }

    /**
     * Finds a VM started by an earlier process, or detached in this one, by its run folder's name
     * (see {@link #attach(Path)}).
     */
    @Override
    public Vm attach(String id) throws IOException {
        if (id.isEmpty() || id.contains("/") || id.startsWith(".")) {
            throw new VmException("not a VM id: " + id);
        }
        return attach(vmsDir().resolve(id));
    }

    /**
     * Drives the QEMU whose record is in {@code runDir} (a folder under {@link RunDirs#base()}/vm).
     * Checks that the recorded pid is still the same QEMU (by its start time, as pids are reused),
     * connects to QMP again (QEMU greets a new client once the previous one has gone) and offers the
     * recorded channels, boot-time and hot-plugged. QEMU is not this process's child, so the
     * returned VM's {@link Vm#exit()} is seen through {@link ProcessHandle#onExit()} and QMP's
     * socket closing, and its exit code is {@link VmExit#UNKNOWN_CODE} unless this process asked
     * for the end (stop: 0, kill: 137). A dead VM's run folder is removed, and an error says so.
     * Only one process can drive a VM at a time: QMP takes one client.
     */
    public Vm attach(Path runDir) throws IOException {
        RunRecord record;
        try {
            record = RunRecord.read(runDir);
        } catch (NoSuchFileException e) {
            throw new VmException("no VM to attach to in " + runDir + ": no record there (no such VM, it has ended, or "
                    + "it is still starting)", e);
        } catch (VmException e) {
            throw e;
        } catch (IOException e) {
            throw new VmException("failed to read the VM record in " + runDir + ": " + e.getMessage(), e);
        }
        String name = record.config().name();
        if (!ProcStat.alive(record.pid(), record.startTime())) {
            String why = QemuVm.tail(stderrFile(runDir));
            RunDirs.delete(runDir);
            throw new VmException("cannot attach to VM " + name + ": its QEMU (pid " + record.pid() + ") has ended "
                    + "while no process watched it; QEMU's last output: " + why);
        }
        ProcessHandle handle = ProcessHandle.of(record.pid()).orElseThrow(
                () -> new VmException("cannot attach to VM " + name + ": its QEMU (pid " + record.pid() + ") has just ended"));
        QemuCommandLine.Plan plan = new QemuCommandLine.Plan(record.binary(), record.accel(), record.config(),
                runDir.resolve("qmp.sock"), record.consoleLog(), runDir, record.sharedMemory());
        QemuVm vm = new QemuVm(record, plan, null, handle);
        QmpClient qmp = null;
        try {
            qmp = QmpClient.connect(plan.qmpSocket(), vm::onEvent, QMP_TIMEOUT);
            vm.connected(qmp);
            return vm;
        } catch (IOException | RuntimeException e) {
            if (qmp != null) {
                qmp.close();
            }
            throw new VmException("failed to attach to VM " + name + " (QEMU pid " + record.pid() + "): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public List<String> running() throws IOException {
        return runningVms().stream().map(p -> p.getFileName().toString()).toList();
    }

    /**
     * The run folders whose recorded QEMU still runs, started by any process. Folders whose QEMU
     * has ended (or whose pid now belongs to another process) are removed. Folders without a
     * record are left alone and not listed: their VM is starting, or its start was cut short.
     */
    public static List<Path> runningVms() throws IOException {
        Path vms = vmsDir();
        if (!Files.isDirectory(vms)) {
            return List.of();
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(vms)) {
            dirs = s.filter(Files::isDirectory).sorted().toList();
        }
        List<Path> alive = new ArrayList<>();
        for (Path dir : dirs) {
            RunRecord r;
            try {
                r = RunRecord.read(dir);
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                continue; // unreadable or another format: not ours to judge or remove
            }
            if (ProcStat.alive(r.pid(), r.startTime())) {
                alive.add(dir);
            } else {
                RunDirs.delete(dir);
            }
        }
        return alive;
    }

    private static Path vmsDir() {
        return RunDirs.base().resolve("vm");
    }

    static Path stderrFile(Path runDir) {
        return runDir.resolve("qemu.stderr");
    }

    /**
     * Runs QEMU in a session of its own, so that a signal to this process's group (a terminal's
     * ^C, a service manager stopping the daemon's group) does not reach it and the VM outlives the
     * daemon. setsid(1) from util-linux calls setsid(2) and execs QEMU in place when its caller
     * is not a process-group leader, which a child of this process never is; so the pid stays
     * QEMU's. Without setsid QEMU shares the daemon's group, and a notice says so.
     */
    List<String> inOwnSession(List<String> argv) {
        Path setsid = findSetsid();
        if (setsid == null) {
            LOG.log(Level.WARNING, "skiff: setsid (util-linux) not found; VMs share the daemon's process group and may not "
                    + "outlive it");
            return argv;
        }
        List<String> a = new ArrayList<>(List.of(setsid.toString()));
        a.addAll(argv);
        return a;
    }

    private static Path findSetsid() {
        return HostTools.find("setsid").orElse(null);
    }

    /**
     * QEMU creates its sockets while it initialises, before the guest runs. Wait for the QMP
     * socket to accept, or for QEMU to die trying (then its stderr says why).
     */
    private static QmpClient connectQmp(Path socket, Process process, Path stderr, Consumer<JsonNode> events)
            throws IOException {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        long pause = 2;
        while (true) {
            if (!process.isAlive()) {
                throw new VmException("QEMU exited during start-up (exit " + process.exitValue() + "): "
                        + QemuVm.tail(stderr));
            }
            if (Files.exists(socket)) {
                try {
                    return QmpClient.connect(socket, events, QMP_TIMEOUT);
                } catch (IOException e) {
                    if (!process.isAlive()) {
                        continue;
                    }
                    if (System.nanoTime() > deadline) {
                        throw new VmException("cannot talk QMP to QEMU: " + e.getMessage(), e);
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new VmException("QEMU did not open its control socket within " + STARTUP_TIMEOUT.toSeconds()
                        + " s: " + QemuVm.tail(stderr));
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VmException("interrupted while QEMU started", e);
            }
            pause = Math.min(pause * 2, 50);
        }
    }

    private static void requireFile(Path p, String what) throws VmException {
        if (p == null || !Files.isRegularFile(p)) {
            throw new VmException(what + " " + p + " does not exist or is not a file"
                    + (what.equals("kernel") || what.equals("initrd") || what.equals("mapped image") ? ": build the guest image with ./skiff guest build" : ""));
        }
        if (!Files.isReadable(p)) {
            throw new VmException(what + " " + p + " is not readable");
        }
    }

    /**
     * Whether a new VM's RAM is a shared memfd, which virtio-fs back-ends need: on Linux (memfd),
     * unless {@code SKIFF_SHARED_MEMORY=0} turns it off (bind mounts then stay on 9P).
     */
    static boolean sharedMemory() {
        return System.getProperty("os.name", "").equals("Linux") && !"0".equals(System.getenv("SKIFF_SHARED_MEMORY"));
    }
}
