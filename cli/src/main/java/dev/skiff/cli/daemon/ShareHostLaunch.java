package dev.skiff.cli.daemon;

import dev.skiff.sys.HostTools;
import dev.skiff.virtiofs.host.ShareHostClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How the daemon starts its virtio-fs share host ({@code skiff virtiofs host}): this JVM's java
 * and class path, in a session of its own (a terminal's ^C or a service manager stopping the
 * daemon's group must not end the back-ends the VMs' mounts hang on), its socket and log in the
 * run folder beside the daemon's.
 */
final class ShareHostLaunch {
    /** The socket's name: a later daemon of the same run folder finds its predecessor's host there. */
    static final String SOCKET = "virtiofs-host.sock";

    /**
     * The serial collector as for the daemon; a heap that starts small (an idle host is about 60
     * MiB, most of it the JVM's own) and is bounded (each request's buffer is at most 1 MiB); no
     * hsperfdata file (the host lives as long as VMs do, and nothing reads it).
     */
    static final List<String> JVM = List.of("--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xms8m", "-Xmx512m",
            "-XX:-UsePerfData");

    private ShareHostLaunch() {}

    static ShareHostClient client(Path run) {
        Path control = run.resolve(SOCKET);
        return new ShareHostClient(control, command(control), run.resolve("virtiofs-host.log"));
    }

    static List<String> command(Path control) {
        List<String> cmd = new ArrayList<>();
        HostTools.find("setsid").ifPresent(setsid -> cmd.add(setsid.toString()));
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JVM);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.skiff.cli.Main", "virtiofs", "host",
                "--control", control.toString()));
        return cmd;
    }
}
