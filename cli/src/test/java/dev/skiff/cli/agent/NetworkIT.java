package dev.skiff.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.Endpoint;
import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.agent.api.NetworkMode;
import dev.skiff.agent.api.PortForward;
import dev.skiff.agent.api.SetupNetworkRequest;
import dev.skiff.agent.api.StreamKind;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.cli.selftest.Images;
import dev.skiff.guest.selftest.SelftestClient;
import dev.skiff.guest.selftest.SelftestProtocol;
import dev.skiff.image.GuestImage;
import dev.skiff.ttrpc.Code;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.HostForward;
import dev.skiff.vm.Uplink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ByteChannel;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Container networking in a real TCG guest with an uplink on QEMU's user networking: runc
 * containers from the busybox layer in namespaces the agent made, on bridge skiff0. A published
 * port serves a page and a 3 MB payload to the host through hostfwd and the VM's DNAT; a
 * container reaches a server on the host's loopback through 10.0.2.2; two containers reach each
 * other; --network none has loopback only; teardown removes everything and the id can be set up
 * again; bad requests are refused. Traffic goes only to 127.0.0.1 on the host and to addresses in
 * the VM. One VM serves every test, in order; the self-test port looks inside the VM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String WEB = "172.17.0.2";
    private static AgentSession session;
    private static AgentClient agent;
    private static ByteChannel controlChannel;
    private static SelftestClient control;
    private static int webPort;

    @BeforeAll
    static void boot() throws Exception {
        GuestImage image = Images.selftestImage(System.out);
        Path layer = BusyboxLayer.get(System.out);
        Path scratch = Files.createTempDirectory("skiff-network-it").resolve("scratch.ext4");
        try (var f = java.nio.channels.FileChannel.open(scratch, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.truncate(0).position(256L << 20).write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
        Process mkfs = new ProcessBuilder("mkfs.ext4", "-q", "-F", scratch.toString()).inheritIO().start();
        assertEquals(0, mkfs.waitFor(), "mkfs.ext4 of the scratch disk");
        var config = AgentSession.config("it-net", image, List.of(AgentSession.CONTROL_PORT),
                List.of(new DiskSpec(layer, "busybox", true), new DiskSpec(scratch, "scratch", false)))
                .withUplink(new Uplink(GuestNetwork.UPLINK_MAC, GuestNetwork.SLIRP_NETWORK, GuestNetwork.GUEST_ADDRESS,
                        GuestNetwork.HOST_ADDRESS, GuestNetwork.DNS_ADDRESS));
        session = AgentSession.start(config, System.out);
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

    private static SetupNetworkRequest.Builder namespace(String id) {
        return SetupNetworkRequest.newBuilder().setContainerId(id).setMode(NetworkMode.NAMESPACE)
                .setHosts("127.0.0.1\tlocalhost\n" + "# " + id + "\n").setResolvConf("nameserver 10.0.2.3\n")
                .setHostname(id + "\n");
    }

    /** An endpoint on skiff0 at 172.17.0.HOST with MAC 02:42:ac:11:00:HOST. */
    private static Endpoint.Builder endpoint(int host) {
        return Endpoint.newBuilder().setBridge("skiff0").setGateway("172.17.0.1/16").setAddress("172.17.0." + host + "/16")
                .setMac(String.format("02:42:ac:11:00:%02x", host)).setIfname("eth0").setDefaultRoute(true);
    }

    /** SetupNetwork, timed; prints the time under {@code label}. */
    private static String setup(SetupNetworkRequest request, String label) throws AgentException {
        long t = System.nanoTime();
        String netns = agent.setupNetwork(request);
        System.out.printf("SetupNetwork %s: %d ms%n", label, (System.nanoTime() - t) / 1_000_000);
        return netns;
    }

    /** Creates and starts a container in {@code netns} with the agent's /etc files; its stdout collects into {@code out}. */
    private static void start(String id, String netns, String script, Collector out) throws IOException {
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
    private static String run(String id, String netns, String script) throws Exception {
        Collector out = new Collector();
        start(id, netns, "exec 2>&1; " + script, out);
        int code = agent.waitProcess(id, "", WAIT).getExitCode();
        agent.removeContainer(id, false);
        assertEquals(0, code, id + " failed: " + out.text());
        return out.text();
    }

    /** A shell script run in the VM itself (not in a container); returns exit code and output. */
    private static String[] inVm(String script) throws IOException {
        String[] r = control.call(SelftestProtocol.RUN, SelftestProtocol.encodeArgv("/bin/busybox", "sh", "-c", script))
                .split(" ", 2);
        return new String[] {r[0], r.length > 1 ? new String(Base64.getDecoder().decode(r[1]), StandardCharsets.UTF_8) : ""};
    }

    @Test
    @Order(1)
    void noNetworkHasOnlyLoopbackAndNeedsNoUplink() throws Exception {
        String netns = setup(namespace("none1").build(), "--network none (no modules)");
        assertEquals("/run/skiff/netns/none1", netns);
        assertEquals("lo\n---\nnone1\n", run("none1", netns, "ls /sys/class/net; echo ---; cat /etc/hostname"));
        agent.teardownNetwork("none1");
    }

    @Test
    @Order(2)
    void anEndpointGivesTheAddressMacRouteAndEtcFilesSent() throws Exception {
        String netns = setup(namespace("n1").addEndpoints(endpoint(2)).build(), "first with an endpoint (modules, uplink, bridge)");
        String out = run("n1", netns, "ip addr show eth0; ip route; echo ===; cat /etc/hosts; echo ===; "
                + "cat /etc/resolv.conf; echo ===; cat /etc/hostname");
        String[] parts = out.split("===\n");
        assertTrue(parts[0].contains("inet 172.17.0.2/16 "), out);
        assertTrue(parts[0].contains("link/ether 02:42:ac:11:00:02 "), out);
        assertTrue(parts[0].contains("default via 172.17.0.1 dev eth0"), out);
        assertEquals("127.0.0.1\tlocalhost\n# n1\n", parts[1]);
        assertEquals("nameserver 10.0.2.3\n", parts[2]);
        assertEquals("n1\n", parts[3]);
        agent.teardownNetwork("n1");
    }

    @Test
    @Order(3)
    void aPublishedPortServesAPageAndAnIntactPayloadToTheHost() throws Exception {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            webPort = probe.getLocalPort(); // free now; hostfwd binds it below
        }
        String netns = setup(namespace("web").addEndpoints(endpoint(2)).addPorts(PortForward.newBuilder()
                .setProtocol("tcp").setGuestPort(webPort).setAddress(WEB).setContainerPort(80)).build(), "later, with a port");
        Collector out = new Collector();
        start("web", netns, "mkdir /w && echo hello from web > /w/index.html && head -c 3000000 /dev/urandom > /w/big"
                + " && sha256sum /w/big && echo ready && exec httpd -f -p 80 -h /w", out);
        out.awaitContains("ready\n", WAIT);
        String sha = out.text().split(" ")[0];
        session.vm().addHostForward(new HostForward("tcp", "127.0.0.1", webPort, webPort));
        HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
        assertEquals("hello from web\n", http.send(get("/index.html"), HttpResponse.BodyHandlers.ofString()).body());
        long t = System.nanoTime();
        byte[] big = http.send(get("/big"), HttpResponse.BodyHandlers.ofByteArray()).body();
        System.out.printf("3 MB through hostfwd and DNAT: %d ms%n", (System.nanoTime() - t) / 1_000_000);
        assertEquals(3_000_000, big.length);
        assertEquals(sha, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(big)));
    }

    private static HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webPort + path)).timeout(WAIT).build();
    }

    @Test
    @Order(4)
    void aContainerReachesAServerOnTheHostsLoopback() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout((int) WAIT.toMillis());
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                    s.getOutputStream().write("ack\n".getBytes(StandardCharsets.UTF_8));
                    return line;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            String netns = setup(namespace("out1").addEndpoints(endpoint(3)).build(), "later");
            String out = run("out1", netns, "echo hello-host | timeout 100 nc " + GuestNetwork.HOST_ADDRESS + " "
                    + server.getLocalPort());
            assertEquals("hello-host", received.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            assertEquals("ack\n", out);
            agent.teardownNetwork("out1");
        }
    }

    @Test
    @Order(5)
    void twoContainersOnTheBridgeReachEachOther() throws Exception {
        String netns = setup(namespace("peer").addEndpoints(endpoint(4)).build(), "later");
        // busybox 1.35's wget -T crashes; timeout bounds it instead
        assertEquals("hello from web\n", run("peer", netns, "timeout 100 wget -q -O - http://" + WEB + "/index.html"));
        agent.teardownNetwork("peer");
    }

    @Test
    @Order(6)
    void teardownRemovesTheNamespaceVethAndPortAndTheIdCanBeSetUpAgain() throws Exception {
        agent.removeContainer("web", true);
        assertEquals("1\n", inVm("ls /sys/class/net | grep -c '[.]'")[1], "one host veth (web's) before teardown");
        agent.teardownNetwork("web");
        assertEquals("1\n", inVm("test -e /run/skiff/netns/web; echo $?")[1], "the netns file is gone");
        assertEquals("1\n", inVm("test -e /run/skiff/etc/web; echo $?")[1], "the /etc files are gone");
        assertEquals("0\n", inVm("ls /sys/class/net | grep -c '[.]'")[1], "no host veth is left");
        String map = inVm("/usr/sbin/nft list map ip skiff forwards")[1];
        assertFalse(map.contains(Integer.toString(webPort)), map);
        assertTrue(inVm("ls /sys/class/net")[1].contains("skiff0"), "the bridge stays");
        agent.teardownNetwork("web"); // twice: nothing left, still fine
        agent.teardownNetwork("never-set-up");
        String netns = setup(namespace("web").addEndpoints(endpoint(2)).addPorts(PortForward.newBuilder()
                .setProtocol("tcp").setGuestPort(webPort).setAddress(WEB).setContainerPort(80)).build(), "again for web");
        assertTrue(run("web", netns, "ip addr show eth0").contains("inet 172.17.0.2/16 "));
        String published = inVm("/usr/sbin/nft list map ip skiff forwards")[1];
        // no /etc/protocols in the VM: nft prints tcp as 6
        assertTrue(published.contains(" . " + webPort + " : " + WEB + " . 80"), published);
        agent.setupNetwork(namespace("web").build()); // a re-setup replaces: now loopback only, the port unpublished
        assertFalse(inVm("/usr/sbin/nft list map ip skiff forwards")[1].contains(Integer.toString(webPort)));
        agent.teardownNetwork("web");
    }

    @Test
    @Order(7)
    void vmHostModeUsesTheVmsOwnNamespace() throws Exception {
        assertEquals("", setup(SetupNetworkRequest.newBuilder().setContainerId("h1").setMode(NetworkMode.VM_HOST)
                .setHostname("h1\n").build(), "VM_HOST"));
        assertEquals("h1\n", inVm("cat /run/skiff/etc/h1/hostname")[1]);
        agent.teardownNetwork("h1");
    }

    @Test
    @Order(8)
    void badRequestsAreRefusedAsInvalidArguments() throws Exception {
        assertInvalid(q -> q.setEndpoints(0, endpoint(5).setAddress("172.17.0.5/33")), "prefix");
        assertInvalid(q -> q.setEndpoints(0, endpoint(5).setGateway("172.17.1")), "gateway");
        assertInvalid(q -> q.setEndpoints(0, endpoint(5).setBridge("br;reboot")), "bridge");
        assertInvalid(q -> q.addPorts(port().setGuestPort(0)), "1..65535");
        assertInvalid(q -> q.addPorts(port().setProtocol("icmp")), "tcp or udp");
        assertInvalid(q -> q.setMode(NetworkMode.VM_HOST), "VM_HOST");
        assertEquals("1\n", inVm("test -e /run/skiff/netns/bad; echo $?")[1], "nothing was made");
        agent.ping(WAIT);
    }

    private static PortForward.Builder port() {
        return PortForward.newBuilder().setProtocol("tcp").setGuestPort(9000).setAddress("172.17.0.5").setContainerPort(80);
    }

    private static void assertInvalid(UnaryOperator<SetupNetworkRequest.Builder> change, String says) {
        SetupNetworkRequest q = change.apply(namespace("bad").addEndpoints(endpoint(5))).build();
        AgentException e = assertThrows(AgentException.class, () -> agent.setupNetwork(q));
        assertEquals(Code.INVALID_ARGUMENT, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }
}
