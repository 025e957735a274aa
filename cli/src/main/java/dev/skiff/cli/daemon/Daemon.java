package dev.skiff.cli.daemon;

import dev.skiff.agent.api.SkiffVersion;
import dev.skiff.engine.Engine;
import dev.skiff.engine.api.ApiServer;
import dev.skiff.engine.image.ImageStore;
import dev.skiff.engine.placement.FileSharing;
import dev.skiff.engine.placement.Placement;
import dev.skiff.image.AgentProgram;
import dev.skiff.image.GuestImage;
import dev.skiff.image.GuestImageBuilder;
import dev.skiff.image.ImageCache;
import dev.skiff.registry.RegistryClient;
import dev.skiff.vm.RunDirs;
import dev.skiff.vm.qemu.QemuDriver;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * The daemon in the foreground: prepares the guest image and the built-in busybox image, then
 * serves the Docker Engine API. Stopping it leaves containers and their VMs running; the next
 * daemon finds them again.
 */
public final class Daemon {
    static {
        DaemonLog.keepHandlersToTheEnd(); // before the logger below, which starts java.util.logging
    }

    private static final Logger LOG = System.getLogger(Daemon.class.getName());

    private Daemon() {}

    /** The shared VM stops after this long without containers (SKIFF_IDLE_SECONDS overrides). */
    static final Duration DEFAULT_IDLE = Duration.ofMinutes(5);

    public static int run(PrintStream out) throws Exception {
        Path run = RunDirs.createBase();
        Path data = Files.createDirectories(DaemonPaths.dataRoot());
        try (FileChannel lockFile = FileChannel.open(run.resolve("daemon.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                out.println("skiff: another daemon is running (lock " + run.resolve("daemon.lock") + " is held)");
                return 1;
            }
            DaemonLog.install(out, System.getenv(DaemonLog.LEVEL_VARIABLE));
            LOG.log(Level.INFO, "skiff daemon " + SkiffVersion.VERSION + " starting (data " + data + ")");
            GuestImage guest = new GuestImageBuilder(ImageCache.root(), ImageCache.shared(),
                    s -> LOG.log(Level.INFO, "guest image: " + s))
                    .build(AgentProgram.get()).image();
            Path configFile = DaemonPaths.configFile();
            DaemonConfig config = DaemonConfig.load(configFile);
            LOG.log(Level.INFO, "configuration: " + configFile
                    + (Files.exists(configFile) ? "" : " (absent: defaults)"));
            ImageStore images = new ImageStore(data.resolve("images"), config.maxConcurrentDownloads());
            images.ensureBusybox(ImageCache.root(), ImageCache.shared(),
                    s -> LOG.log(Level.INFO, "busybox image: " + s));
            Duration idle = idle();
            QemuDriver driver = QemuDriver.create();
            Placement placement = new Placement(driver, () -> guest, data.resolve("vms"), idle, 512, config.vmPool());
            placement.shareFilesOver(new FileSharing(config.fileSharing(), ShareHostLaunch.client(run)));
            LOG.log(Level.INFO, "file sharing: " + config.fileSharing().label()
                    + (config.fileSharing() == dev.skiff.engine.placement.ShareTransport.VIRTIO_FS
                            ? " (9P in VMs whose RAM is not shared memory)" : ""));
            if ("0".equals(System.getenv("SKIFF_VM_TEMPLATES"))) {
                LOG.log(Level.INFO, "VM templates: off (SKIFF_VM_TEMPLATES=0): every VM boots");
            } else {
                // a booted VM's snapshot, shared by the host's daemons: later VMs start from it
                placement.useTemplates(new dev.skiff.engine.placement.VmTemplates(ImageCache.root().resolve("templates"),
                        driver));
            }
            if (config.vmPool() > 0) {
                LOG.log(Level.INFO, "dedicated-VM pool: " + config.vmPool() + " VM(s) kept booted ahead of need");
            }
            Path socket = DaemonPaths.socket();
            try (RegistryClient registries = new RegistryClient(config.registries());
                 Engine engine = new Engine(data, images, registries, placement, socket);
                 ApiServer api = new ApiServer(engine)) {
                engine.restore(driver);
                api.start(socket);
                Files.writeString(run.resolve("daemon.pid"), ProcessHandle.current().pid() + "\n");
                LOG.log(Level.INFO, "API listening on unix://" + socket
                        + " (export DOCKER_HOST=unix://" + socket + ")");
                CountDownLatch stop = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    LOG.log(Level.INFO, "daemon stopping; containers and their VMs keep running");
                    stop.countDown();
                }));
                stop.await();
            }
            return 0;
        }
    }

    private static Duration idle() {
        String env = System.getenv("SKIFF_IDLE_SECONDS");
        try {
            return env == null || env.isEmpty() ? DEFAULT_IDLE : Duration.ofSeconds(Long.parseLong(env));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SKIFF_IDLE_SECONDS must be a number of seconds, not " + env);
        }
    }

    /** Whether a daemon answers on the socket. */
    public static boolean answers(Path socket) {
        try {
            return UnixHttp.get(socket, "/_ping").startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }
}
