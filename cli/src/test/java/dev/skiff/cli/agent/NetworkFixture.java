package dev.skiff.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.agent.api.Endpoint;
import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.agent.api.NetworkMode;
import dev.skiff.agent.api.SetupNetworkRequest;
import dev.skiff.agent.api.StreamKind;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.cli.selftest.Images;
import dev.skiff.guest.selftest.SelftestClient;
import dev.skiff.guest.selftest.SelftestProtocol;
import dev.skiff.image.GuestImage;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.Uplink;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The VM that {@link NetworkIT} runs in, booted once for all its tests, and the helpers they share:
 * requests in the test's conventions (bridge skiff0 at 172.17.0.0/16, skiff1 at 172.18.0.0/16 with
 * a gateway MAC, and a network that spans VMs at 172.20.0.0/16), containers run from the busybox
 * layer, and shell commands in the VM itself through the self-test port.
 */
abstract class NetworkFixture {
    static final Duration WAIT = Duration.ofSeconds(120);
    static AgentSession session;
    static AgentClient agent;
    static ByteChannel controlChannel;
    static SelftestClient control;

    @BeforeAll
    static void boot() throws Exception {
        GuestImage image = Images.selftestImage(System.out);
        Path layer = BusyboxLayer.get(System.out);
        Path scratch = Files.createTempDirectory("skiff-network-it").resolve("scratch.ext4");
        try (var f = java.nio.channels.FileChannel.open(scratch, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.truncate(0).position(256L << 20).write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
        Process mkfs = new ProcessBuilder(dev.skiff.sys.HostTools.require("mkfs.ext4", "e2fsprogs").toString(), "-q", "-F", scratch.toString()).inheritIO().start();
        assertEquals(0, mkfs.waitFor(), "mkfs.ext4 of the scratch disk");
        var config = AgentSession.config("it-net", image, List.of(AgentSession.CONTROL_PORT),
                List.of(new DiskSpec(layer, "busybox", true), new DiskSpec(scratch, "scratch", false)))
                .withUplink(new Uplink(GuestNetwork.UPLINK_MAC, GuestNetwork.SLIRP_NETWORK, GuestNetwork.GUEST_ADDRESS,
                        GuestNetwork.HOST_ADDRESS, GuestNetwork.DNS_ADDRESS));
        session = AgentSession.start(config);
        agent = session.agent();
        agent.addLayer("busybox", "busybox", "erofs");
        agent.addScratch("scratch", "scratch");
        controlChannel = session.vm().channel(AgentSession.CONTROL_PORT).connect();
        control = new SelftestClient(Channels.newInputStream(controlChannel), Channels.newOutputStream(controlChannel));
    }

    @AfterAll
    static void shutDown() throws IOException {
        if (controlChannel != null) {
            controlChannel.close();
        }
        if (session != null) {
            session.close();
        }
    }

    static SetupNetworkRequest.Builder namespace(String id) {
        return SetupNetworkRequest.newBuilder().setContainerId(id).setMode(NetworkMode.NAMESPACE)
                .setHosts("127.0.0.1\tlocalhost\n" + "# " + id + "\n").setResolvConf("nameserver 10.0.2.3\n")
                .setHostname(id + "\n");
    }

    /** An endpoint on skiff0 at 172.17.0.HOST with MAC 02:42:ac:11:00:HOST. */
    static Endpoint.Builder endpoint(int host) {
        return Endpoint.newBuilder().setBridge("skiff0").setGateway("172.17.0.1/16").setAddress("172.17.0." + host + "/16")
                .setMac(String.format("02:42:ac:11:00:%02x", host)).setIfname("eth0").setDefaultRoute(true);
    }

    /** SetupNetwork, timed; prints the time under {@code label}. */
    static String setup(SetupNetworkRequest request, String label) throws AgentException {
        long t = System.nanoTime();
        String netns = agent.setupNetwork(request);
        System.out.printf("SetupNetwork %s: %d ms%n", label, (System.nanoTime() - t) / 1_000_000);
        return netns;
    }

    /** Creates and starts a container in {@code netns} with the agent's /etc files; its stdout collects into {@code out}. */
    static void start(String id, String netns, String script, Collector out) throws IOException {
        agent.createContainer(id, OciSpec.build(id, id, OciSpec.Process.of(List.of("/bin/sh", "-c", script)), List.of(),
                new OciSpec.Network(netns, true)), List.of("busybox"), "scratch", AgentClient.stdio(false, false));
        CompletableFuture.runAsync(() -> {
            try {
                agent.readOutput(id, "", StreamKind.STDOUT, out);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        agent.startContainer(id);
    }

    /** Runs a container to its end (stdout and stderr together); asserts exit 0 and returns the output. */
    static String run(String id, String netns, String script) throws Exception {
        Collector out = new Collector();
        start(id, netns, "exec 2>&1; " + script, out);
        int code = agent.waitProcess(id, "", WAIT).getExitCode();
        agent.removeContainer(id, false);
        assertEquals(0, code, id + " failed: " + out.text());
        return out.text();
    }

    /** A shell script run in the VM itself (not in a container); returns exit code and output. */
    static String[] inVm(String script) throws IOException {
        String[] r = control.call(SelftestProtocol.RUN, SelftestProtocol.encodeArgv("/bin/busybox", "sh", "-c", script))
                .split(" ", 2);
        return new String[] {r[0], r.length > 1 ? new String(Base64.getDecoder().decode(r[1]), StandardCharsets.UTF_8) : ""};
    }

    /** An endpoint on a second bridge, skiff1, at 172.18.0.HOST; its gateway has the MAC {@link #SKIFF1_MAC}. */
    static Endpoint.Builder endpointB(int host) {
        return Endpoint.newBuilder().setBridge("skiff1").setGateway("172.18.0.1/16").setAddress("172.18.0." + host + "/16")
                .setMac(String.format("02:42:ac:12:00:%02x", host)).setIfname("eth0").setDefaultRoute(true)
                .setBridgeMac(SKIFF1_MAC);
    }

    static final String SKIFF1_MAC = "02:42:ac:12:00:01";

    /** Sets up and starts a web server container that serves {@code text} at /index.html; waits until it is up. */
    static void serve(String id, Endpoint.Builder endpoint, String text) throws Exception {
        String netns = setup(namespace(id).addEndpoints(endpoint).build(), id);
        Collector out = new Collector();
        start(id, netns, "mkdir /w && echo " + text + " > /w/index.html && echo ready && exec httpd -f -p 80 -h /w", out);
        out.awaitContains("ready\n", WAIT);
    }

    /** A server on the host's loopback that answers every connection with "ack". */
    static ServerSocket ackServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write("ack\n".getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // closed: the test is over
                }
            }
        });
        return server;
    }

    /** The MAC that /proc/net/arp (as {@code cat} printed it in {@code out}) holds for {@code ip}. */
    static String arpEntry(String out, String ip) {
        return out.lines().map(l -> l.trim().split("\\s+")).filter(f -> f.length >= 4 && f[0].equals(ip))
                .map(f -> f[3]).findFirst().orElseThrow(() -> new AssertionError("no ARP entry for " + ip + ": " + out));
    }

    static final String BRIDGE_C = "br-0123456789ab", GATEWAY_C_MAC = "02:42:ac:14:00:01", NIC_MAC = "52:54:01:00:00:01";

    /** An endpoint on a network that spans VMs (as the daemon names them): bridge, gateway MAC and card. */
    static Endpoint.Builder endpointC(int host) {
        return Endpoint.newBuilder().setBridge(BRIDGE_C).setGateway("172.20.0.1/16").setAddress("172.20.0." + host + "/16")
                .setMac(String.format("02:42:ac:14:00:%02x", host)).setIfname("eth0").setDefaultRoute(true)
                .setBridgeMac(GATEWAY_C_MAC).setNicMac(NIC_MAC);
    }

    /** The last line of the VM's console holding {@code piece} (the agent logs there), or "". */
    static String consoleLine(String piece) throws IOException {
        return Files.readAllLines(session.vm().consoleLog(), StandardCharsets.ISO_8859_1).reversed().stream()
                .filter(l -> l.contains(piece)).findFirst().orElse("");
    }
}
