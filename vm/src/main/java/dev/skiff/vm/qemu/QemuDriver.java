package dev.skiff.vm.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skiff.vm.Accel;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.RunDirs;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmConfig;
import dev.skiff.vm.VmDriver;
import dev.skiff.vm.VmException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** Starts VMs as QEMU processes. */
public final class QemuDriver implements VmDriver {
    /** How long QEMU may take to open its QMP socket after it starts. */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    static final Duration QMP_TIMEOUT = Duration.ofSeconds(30);

    private final Path binary;
    private final Consumer<String> notices;

    /** The driver for this host's architecture, with {@code qemu-system-x86_64} from PATH or $SKIFF_QEMU. */
    public static QemuDriver create(Consumer<String> notices) throws VmException {
        return new QemuDriver(findBinary(), notices);
    }

    public QemuDriver(Path binary, Consumer<String> notices) {
        this.binary = binary;
        this.notices = notices;
    }

    @Override
    public String name() {
        return "qemu";
    }

    /** {@code qemu-system-x86_64} from $SKIFF_QEMU or PATH, or an error that says how to install it. */
    public static Path findBinary() throws VmException {
        String env = System.getenv("SKIFF_QEMU");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String name = "qemu-system-x86_64";
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new VmException(name + " is not on PATH: install QEMU (Debian: apt-get install qemu-system-x86) or set SKIFF_QEMU");
    }

    @Override
    public Vm start(VmConfig config) throws IOException {
        if (!Files.isExecutable(binary)) {
            throw new VmException("QEMU binary " + binary + " does not exist or is not executable: install QEMU "
                    + "(Debian: apt-get install qemu-system-x86) or set SKIFF_QEMU");
        }
        requireFile(config.kernel(), "kernel");
        requireFile(config.initrd(), "initrd");
        for (DiskSpec d : config.disks()) {
            requireFile(d.image(), "disk image");
        }
        Accel accel = AccelProbe.resolve(config.accel(), binary, config.kernel(), notices);
        Path runDir = RunDirs.createVmDir(config.name());
        Process process = null;
        QmpClient qmp = null;
        try {
            Path console = config.consoleLog() != null ? config.consoleLog()
                    : RunDirs.logDir().resolve(runDir.getFileName() + ".console.log");
            Files.createDirectories(console.toAbsolutePath().getParent());
            Path stderr = runDir.resolve("qemu.stderr");
            QemuCommandLine.Plan plan = new QemuCommandLine.Plan(binary, accel, config, runDir.resolve("qmp.sock"),
                    console, runDir);
            List<String> argv = QemuCommandLine.build(plan);
            process = new ProcessBuilder(argv)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(stderr.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            QemuVm vm = new QemuVm(config, plan, process, stderr);
            qmp = connectQmp(plan.qmpSocket(), process, stderr, vm::onEvent);
            vm.attach(qmp);
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
            throw new VmException("failed to start VM " + config.name() + ": " + e.getMessage(), e);
        }
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
                    + (what.equals("kernel") || what.equals("initrd") ? ": build the guest image with ./skiff guest build" : ""));
        }
        if (!Files.isReadable(p)) {
            throw new VmException(what + " " + p + " is not readable");
        }
    }
}
