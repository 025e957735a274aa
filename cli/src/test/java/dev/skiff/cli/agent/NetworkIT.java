package dev.skiff.cli.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.agent.api.NetworkMode;
import dev.skiff.agent.api.PortForward;
import dev.skiff.agent.api.SetupNetworkRequest;
import dev.skiff.agent.client.AgentException;
import dev.skiff.ttrpc.Code;
import dev.skiff.vm.HostForward;
import dev.skiff.vm.NicSpec;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
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
 * the VM. Then several networks in one VM, as user-defined docker networks are: containers on
 * two bridges cannot reach each other through the VM but both reach the host; a container sees
 * its gateway at the bridge MAC it was given; and a network card hot-plugged for a network (the
 * test plays the daemon's switch on its socket) becomes a port of the bridge that carries the
 * containers' frames, found in place by a second container. One VM serves every test, in order;
 * the self-test port looks inside the VM.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkIT extends NetworkFixture {
    private static final String WEB = "172.17.0.2";
    private static int webPort;

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
        assertEquals("1\n", inVm("ls /sys/class/net | grep -c '^v.*[.]'")[1], "one host veth (web's) before teardown");
        agent.teardownNetwork("web");
        assertEquals("1\n", inVm("test -e /run/skiff/netns/web; echo $?")[1], "the netns file is gone");
        assertEquals("1\n", inVm("test -e /run/skiff/etc/web; echo $?")[1], "the /etc files are gone");
        assertEquals("0\n", inVm("ls /sys/class/net | grep -c '^v.*[.]'")[1], "no host veth is left");
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

    @Test
    @Order(9)
    void containersOnTwoBridgesCannotReachEachOtherButBothReachTheHost() throws Exception {
        try (ServerSocket host = ackServer()) {
            serve("isoa", endpoint(10), "on-a");
            serve("isob", endpointB(10), "on-b");
            // busybox's wget has no connect timeout that works (see above): timeout ends it, with status 143
            String check = "timeout 60 wget -q -O - http://%s/index.html; echo same=$?; "
                    + "timeout 5 wget -q -O - http://%s/index.html; echo other=$?; "
                    + "timeout 60 nc " + GuestNetwork.HOST_ADDRESS + " " + host.getLocalPort() + " </dev/null; echo host=$?";
            String fromA = run("clia", setup(namespace("clia").addEndpoints(endpoint(11)).build(), "client on skiff0"),
                    String.format(check, "172.17.0.10", "172.18.0.10"));
            String fromB = run("clib", setup(namespace("clib").addEndpoints(endpointB(11)).build(), "client on skiff1"),
                    String.format(check, "172.18.0.10", "172.17.0.10"));
            for (String[] r : new String[][] {{fromA, "on-a", "on-b"}, {fromB, "on-b", "on-a"}}) {
                assertTrue(r[0].contains(r[1] + "\nsame=0\n"), "the own bridge's server answers: " + r[0]);
                assertFalse(r[0].contains(r[2]) || r[0].contains("other=0\n"), "the other bridge's does not: " + r[0]);
                assertTrue(r[0].contains("ack\nhost=0\n"), "the host answers: " + r[0]);
            }
            String chain = inVm("/usr/sbin/nft list chain ip skiff forward")[1];
            assertTrue(chain.contains("policy drop"), chain);
        } finally {
            for (String id : List.of("isoa", "isob")) {
                agent.removeContainer(id, true);
            }
            for (String id : List.of("isoa", "isob", "clia", "clib")) {
                agent.teardownNetwork(id);
            }
        }
    }

    @Test
    @Order(10)
    void aContainerSeesItsGatewayAtTheBridgesMac() throws Exception {
        String netns = setup(namespace("arp1").addEndpoints(endpointB(12)).build(), "later on skiff1");
        String out = run("arp1", netns, "ping -c 1 -W 5 172.18.0.1 >/dev/null; cat /proc/net/arp");
        assertEquals(SKIFF1_MAC, arpEntry(out, "172.18.0.1"), out);
        assertEquals(SKIFF1_MAC + "\n", inVm("cat /sys/class/net/skiff1/address")[1]);
        AgentException e = assertThrows(AgentException.class, () -> agent.setupNetwork(namespace("arp2")
                .addEndpoints(endpointB(13).setBridgeMac("02:42:ac:12:00:fe")).build()));
        assertEquals(Code.FAILED_PRECONDITION, e.code(), e.getMessage());
        agent.teardownNetwork("arp1");
    }

    @Test
    @Order(11)
    void aHotPluggedCardJoinsTheBridgeAndCarriesTheContainersFrames() throws Exception {
        long t = System.nanoTime();
        Path socket = session.vm().hotplugNic(new NicSpec("nt1", NIC_MAC));
        long plugged = System.nanoTime();
        try (SwitchPort port = new SwitchPort(socket)) { // connected first: the card has no link without a peer
            String netns = setup(namespace("nic1").addEndpoints(endpointC(2)).build(), "right after the card's hot-plug");
            System.out.printf("card: QMP hot-plug %d ms, then SetupNetwork done after %d ms; %s%n",
                    (plugged - t) / 1_000_000, (System.nanoTime() - plugged) / 1_000_000, consoleLine("card " + NIC_MAC));
            String out = run("nic1", netns, "ping -c 1 -W 5 172.20.0.1 >/dev/null; cat /proc/net/arp; "
                    + "ping -c 3 -W 1 172.20.0.99; true");
            assertEquals(GATEWAY_C_MAC, arpEntry(out, "172.20.0.1"), out);
            SwitchPort.ArpRequest arp = port.awaitArpRequest("172.20.0.99", WAIT);
            assertEquals(new SwitchPort.ArpRequest("02:42:ac:14:00:02", "02:42:ac:14:00:02", "172.20.0.99"), arp);

            String netns2 = setup(namespace("nic2").addEndpoints(endpointC(3)).build(), "second on the card's network");
            run("nic2", netns2, "ping -c 3 -W 1 172.20.0.98; true");
            assertEquals("02:42:ac:14:00:03", port.awaitArpRequest("172.20.0.98", WAIT).sourceMac());
            String cards = inVm("for n in /sys/class/net/nic.*; do echo $(basename $n) $(cat $n/address) $(cat $n/mtu)"
                    + " $(basename $(readlink $n/master)); done")[1];
            assertTrue(cards.matches("nic[.][0-9a-f]{11} " + NIC_MAC + " 1500 " + BRIDGE_C + "\n"), cards);

            AgentException e = assertThrows(AgentException.class, () -> agent.setupNetwork(namespace("nic3")
                    .addEndpoints(endpointC(4).setNicMac("52:54:01:00:00:02")).build()));
            assertEquals(Code.FAILED_PRECONDITION, e.code(), e.getMessage());
            agent.teardownNetwork("nic1");
            agent.teardownNetwork("nic2");
        }
    }
}
