package dev.skiff.agent;

import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.api.SkiffVersion;
import dev.skiff.agent.io.PortTransport;
import dev.skiff.guest.boot.Boot;
import dev.skiff.guest.devices.VirtioPorts;
import dev.skiff.guest.process.Reaper;
import dev.skiff.guest.selftest.SelftestProtocol;
import dev.skiff.guest.selftest.SelftestService;
import dev.skiff.sys.Fds;
import dev.skiff.sys.OpenFlags;
import dev.skiff.ttrpc.Server;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The guest's init: boots the machine (mounts, modules), starts the reaper, then serves the agent
 * API on the {@value GuestPaths#AGENT_PORT} port, one host connection after another. When the
 * host also gave the VM a self-test control port, that is served too (the VM tests use it to look
 * inside the guest).
 */
public final class Main {
    private Main() {}

    /** How long boot may take to present the agent's port. */
    static final Duration PORT_TIMEOUT = Duration.ofSeconds(60);

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals(dev.skiff.guest.Main.TRAIN)) {
            train();
            return;
        }
        boolean init = ProcessHandle.current().pid() == 1;
        try {
            if (init) {
                Boot.run(Path.of("/"));
                dev.skiff.guest.Main.watchPowerButton();
            }
            Reaper.shared(); // before any process: as init, orphans are ours to reap
            Thread selftest = Thread.ofPlatform().daemon().name("selftest").start(Main::serveSelftestIfPresent);
            AgentService service = new AgentService(dev.skiff.agent.container.OciRuntime.choose(System.getenv()),
                    dev.skiff.guest.Main::haltForever, init ? VmTemplating.GUEST : VmTemplating.NONE);
            Path port;
            try {
                port = VirtioPorts.awaitPort(Path.of("/sys"), Path.of("/dev"), GuestPaths.AGENT_PORT, PORT_TIMEOUT);
            } catch (IOException e) {
                if (!selftestServed) {
                    throw e;
                }
                // a self-test VM (tests give it the control port, not the agent's): it lives as long as that service
                log("no " + GuestPaths.AGENT_PORT + " port: serving the self-test port only");
                selftest.join();
                return;
            }
            int fd = Fds.openat2(Fds.AT_FDCWD, port.toString(), OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC, 0, 0);
            PortTransport transport = new PortTransport(fd);
            // Platform threads for the connection's reader and writer: they block in read(2) on a device.
            Server server = new Server(service.registry(), Thread.ofPlatform().factory());
            log("agent " + SkiffVersion.VERSION + " serving " + GuestPaths.AGENT_PORT + " on " + port);
            while (true) {
                var connection = server.serve(transport.awaitConnection());
                log("agent: host connected");
                connection.awaitClosed(Duration.ofDays(365 * 100));
                log("agent: host disconnected");
            }
        } catch (Throwable t) {
            log("fatal: " + t);
            t.printStackTrace(System.out);
        } finally {
            if (init) {
                dev.skiff.guest.Main.haltForever();
            }
        }
    }

    /**
     * The guest's training run plus the agent's own start-up path: a ttrpc server and client over
     * a unix socket, answering a protobuf request. Run with -XX:DumpLoadedClassList it yields the
     * image's class list (image/src/main/resources/dev/skiff/image/jre/guest.classlist, whose
     * header has the command).
     */
    static void train() {
        dev.skiff.guest.Main.train();
        try {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("skiff-train");
            var address = java.net.UnixDomainSocketAddress.of(dir.resolve("agent.sock"));
            try (var listener = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                listener.bind(address);
                AgentService service = new AgentService("/nonexistent", () -> { });
                try (Server server = new Server(service.registry(), Thread.ofPlatform().factory());
                     var client = dev.skiff.agent.client.AgentClient.over(java.nio.channels.SocketChannel.open(address))) {
                    server.start(listener);
                    client.ping(Duration.ofSeconds(30));
                    client.guestInfo();
                }
            } finally {
                java.nio.file.Files.deleteIfExists(dir.resolve("agent.sock"));
                java.nio.file.Files.delete(dir);
            }
            for (Class<?> c : List.of(dev.skiff.agent.io.PortTransport.class, dev.skiff.agent.container.Containers.class)) {
                Class.forName(c.getName(), true, c.getClassLoader());
            }
        } catch (Exception e) {
            throw new IllegalStateException("agent training run failed", e);
        }
    }

    /** Set once the self-test port is found (at most 10 s after start, well before the agent port's wait ends). */
    private static volatile boolean selftestServed;

    /** The self-test control port, if the host gave this VM one (tests do; the engine does not). */
    private static void serveSelftestIfPresent() {
        try {
            Optional<Path> port = Optional.empty();
            // Ports given at boot appear with the virtio console driver; wait a little for them.
            for (int i = 0; i < 100 && port.isEmpty(); i++) {
                port = VirtioPorts.find(Path.of("/sys"), Path.of("/dev"), SelftestProtocol.CONTROL_PORT);
                if (port.isEmpty()) {
                    Thread.sleep(100);
                }
            }
            if (port.isPresent()) {
                selftestServed = true;
                log("serving " + SelftestProtocol.CONTROL_PORT + " on " + port.get());
                new SelftestService(port.get()).serve();
            }
        } catch (Exception e) {
            log("self-test service: " + e);
        }
    }

    static void log(String message) {
        dev.skiff.guest.Main.log(message);
    }
}
