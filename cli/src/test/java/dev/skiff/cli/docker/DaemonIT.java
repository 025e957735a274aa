package dev.skiff.cli.docker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the docker-CLI VM tests share: one real `skiff daemon` per test class, in a folder of its own
 * under /tmp (short, for the socket paths below it), with every container and VM it made gone at the
 * end. In each test JVM classes run one after another (the VM phase has two JVMs, each with its own
 * statics), so the static daemon is the current class's.
 */
abstract class DaemonIT {
    static DaemonProcess daemon;
    static Path base;

    @BeforeAll
    static void startDaemon() throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), "sd");
        daemon = new DaemonProcess(base);
        daemon.start();
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        DockerIT.removeAllAndStop(daemon, base);
        daemon = null;
    }

    static DaemonProcess.Result docker(String... args) throws Exception {
        return daemon.docker(List.of(args), null);
    }

    static DaemonProcess.Result ok(String... args) throws Exception {
        return daemon.ok(args);
    }
}
