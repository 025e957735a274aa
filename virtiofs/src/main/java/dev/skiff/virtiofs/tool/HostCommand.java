package dev.skiff.virtiofs.tool;

import dev.skiff.virtiofs.host.ShareHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code host --control PATH [--idle-seconds N]}: the process a daemon starts to serve its
 * virtio-fs back-ends beyond its own life ({@link ShareHost}). Not for users to run: the daemon
 * starts it on its first virtio-fs share and a restarted daemon finds it on the same socket.
 */
@Command(name = "host", mixinStandardHelpOptions = true,
        description = "Serve a daemon's virtio-fs back-ends so that they outlive it (started by the daemon).")
public final class HostCommand implements Callable<Integer> {

    @Option(names = "--control", required = true, paramLabel = "PATH", description = "The control socket to listen on.")
    Path control;

    @Option(names = "--idle-seconds", defaultValue = "30", paramLabel = "N",
            description = "Exit after N seconds with no share served and no daemon connected (default: ${DEFAULT-VALUE}).")
    long idleSeconds;

    @Override
    public Integer call() throws IOException {
        int classes = ShareHost.preloadClasses();
        Path pid = ShareHost.pidFile(control);
        try (ShareHost host = ShareHost.listen(control)) {
            Files.writeString(pid, ProcessHandle.current().pid() + "\n");
            System.err.println("skiff: virtio-fs share host " + ProcessHandle.current().pid() + " listening on " + control
                    + " (" + classes + " classes preloaded)");
            host.serve(Duration.ofSeconds(Math.max(1, idleSeconds)));
        } finally {
            // the file names this process; a host started after this one closed has written its own
            if (Files.exists(pid) && Files.readString(pid).trim().equals(Long.toString(ProcessHandle.current().pid()))) {
                Files.deleteIfExists(pid);
            }
        }
        System.err.println("skiff: virtio-fs share host exits");
        return 0;
    }

    /** Runs standalone: {@code java -cp ... dev.skiff.virtiofs.tool.HostCommand --control PATH}. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new HostCommand()).execute(args));
    }
}
