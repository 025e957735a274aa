package dev.skiff.agent.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.AddEndpointRequest;
import dev.skiff.agent.api.Endpoint;
import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.agent.api.NetworkMode;
import dev.skiff.agent.api.PortForward;
import dev.skiff.agent.api.SetupNetworkRequest;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Validation: agent.proto's rules, and everything that could reach a command line or nft. */
class NetworkSpecTest {
    static Endpoint.Builder endpoint() {
        return Endpoint.newBuilder().setBridge("skiff0").setGateway("172.17.0.1/16").setAddress("172.17.0.2/16")
                .setMac("02:42:ac:11:00:02").setIfname("eth0").setDefaultRoute(true);
    }

    static PortForward.Builder port() {
        return PortForward.newBuilder().setProtocol("tcp").setGuestPort(8080).setAddress("172.17.0.2").setContainerPort(80);
    }

    static SetupNetworkRequest.Builder request() {
        return SetupNetworkRequest.newBuilder().setContainerId("c1").setMode(NetworkMode.NAMESPACE)
                .addEndpoints(endpoint()).addPorts(port()).setHosts("127.0.0.1 localhost\n")
                .setResolvConf("nameserver 10.0.2.3\n").setHostname("c1\n");
    }

    private static String refused(SetupNetworkRequest.Builder q) {
        return assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse(q.build())).getMessage();
    }

    private static String refusedEndpoint(UnaryOperator<Endpoint.Builder> change) {
        return refused(request().setEndpoints(0, change.apply(endpoint())));
    }

    private static String refusedPort(UnaryOperator<PortForward.Builder> change) {
        return refused(request().setPorts(0, change.apply(port())));
    }

    @Test
    void aGoodRequestParses() {
        NetworkSpec s = NetworkSpec.parse(request().setEndpoints(0, endpoint().setMac("02:42:AC:11:00:02")).build());
        assertEquals("c1", s.containerId());
        NetworkSpec.EndpointSpec e = s.endpoints().getFirst();
        assertEquals("172.17.0.1/16", e.gateway().toString());
        assertEquals("172.17.0.0/16", e.gateway().subnet());
        assertEquals("02:42:ac:11:00:02", e.mac(), "MAC normalised to lower case");
        assertEquals(new NetworkSpec.ForwardSpec("tcp", 8080, Ipv4.parse("172.17.0.2", "a"), 80), s.ports().getFirst());
        assertTrue(s.needsUplink());
        assertTrue(!NetworkSpec.parse(request().clearEndpoints().clearPorts().build()).needsUplink(), "--network none");
        assertTrue(NetworkSpec.parse(request().clearEndpoints().clearPorts().setMode(NetworkMode.VM_HOST).build())
                .needsUplink());
    }

    @Test
    void badAddressesAreRefused() {
        for (String cidr : new String[] {"172.17.0.1", "172.17.0.1/", "172.17.0.1/33", "172.17.0.1/016", "172.17.0/16",
                "172.17.0.256/16", "172.017.0.1/16", "172.17.0.1/16 ", "0x1.0.0.1/16", "172.17.0.1/16;reboot", ""}) {
            assertTrue(refusedEndpoint(e -> e.setGateway(cidr)).contains("gateway"), cidr);
        }
        assertTrue(refusedEndpoint(e -> e.setAddress("172.18.0.2/16")).contains("not in the gateway's network"));
        assertTrue(refusedEndpoint(e -> e.setAddress("172.17.0.2/24")).contains("not in the gateway's network"));
        assertTrue(refusedEndpoint(e -> e.setAddress("172.17.0.1/16")).contains("both"));
        assertTrue(refusedEndpoint(e -> e.setAddress("172.17.255.255/16")).contains("broadcast"));
        assertTrue(refusedEndpoint(e -> e.setGateway("172.17.0.0/16")).contains("network's own"));
        assertTrue(refusedEndpoint(e -> e.setGateway("172.17.0.1/31").setAddress("172.17.0.0/31")).contains("8 to 30"));
        assertTrue(refusedEndpoint(e -> e.setGateway("10.0.0.1/16").setAddress("10.0.0.2/16")).contains("uplink"));
        assertTrue(refusedEndpoint(e -> e.setGateway("127.1.0.1/16").setAddress("127.1.0.2/16")).contains("loopback"));
    }

    @Test
    void badNamesAndMacsAreRefused() {
        for (String bridge : new String[] {"br;reboot", "", "Skiff0", "a-very-long-bridge-name", "br.0", "uplink", "lo",
                "br 0", "br$(x)"}) {
            assertTrue(refusedEndpoint(e -> e.setBridge(bridge)).contains("bridge"), bridge);
        }
        for (String ifname : new String[] {"veth0", "veth12", "lo", "0eth", "eth0;x", "eth/0", "", "abcdefghijklmnop"}) {
            assertTrue(refusedEndpoint(e -> e.setIfname(ifname)).contains("ifname"), ifname);
        }
        for (String mac : new String[] {"02:42:ac:11:00", "02-42-ac-11-00-02", "0242ac110002", "zz:42:ac:11:00:02",
                "01:00:5e:00:00:01", "00:00:00:00:00:00", "02:42:ac:11:00:02 "}) {
            assertTrue(refusedEndpoint(e -> e.setMac(mac)).contains("MAC"), mac);
        }
        assertTrue(refused(request().setContainerId("../x")).contains("container id"));
    }

    @Test
    void theBridgesAndTheCardsMacsAreOptionalAndNormalised() {
        NetworkSpec.EndpointSpec none = NetworkSpec.parse(request().build()).endpoints().getFirst();
        assertEquals("", none.bridgeMac());
        assertEquals("", none.nicMac());
        NetworkSpec.EndpointSpec both = NetworkSpec.parse(request().setEndpoints(0, endpoint()
                .setBridgeMac("02:42:AC:11:00:01").setNicMac("52:54:01:0A:0B:0C")).build()).endpoints().getFirst();
        assertEquals("02:42:ac:11:00:01", both.bridgeMac());
        assertEquals("52:54:01:0a:0b:0c", both.nicMac());
    }

    @Test
    void badBridgeAndCardMacsAreRefused() {
        for (String mac : new String[] {"02:42:ac:11:00", "02-42-ac-11-00-01", "0242ac110001", "zz:42:ac:11:00:01",
                "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "02:42:ac:11:00:01 ", " 02:42:ac:11:00:01",
                "02:42:ac:11:00:01\n", "02:42:ac:11:0:01", "02:42:ac:11:00:001", "02:42:ac:11:00:01;x"}) {
            assertTrue(refusedEndpoint(e -> e.setBridgeMac(mac)).contains("bridge_mac"), mac);
            assertTrue(refusedEndpoint(e -> e.setNicMac(mac)).contains("nic_mac"), mac);
        }
        String container = endpoint().getMac();
        assertTrue(refusedEndpoint(e -> e.setBridgeMac(container)).contains("must differ"));
        assertTrue(refusedEndpoint(e -> e.setNicMac(container)).contains("must differ"));
        assertTrue(refusedEndpoint(e -> e.setBridgeMac("02:42:ac:11:00:01").setNicMac("02:42:ac:11:00:01"))
                .contains("must differ"));
        assertTrue(refusedEndpoint(e -> e.setNicMac(GuestNetwork.UPLINK_MAC)).contains("uplink"));
        assertTrue(refusedEndpoint(e -> e.setBridgeMac(GuestNetwork.UPLINK_MAC)).contains("uplink"));
        assertTrue(refused(request().addEndpoints(endpoint().setBridge("other").setIfname("eth1").setDefaultRoute(false)
                .setGateway("172.18.0.1/16").setAddress("172.18.0.2/16").setMac("02:42:ac:12:00:02")
                .setNicMac("52:54:01:00:00:01")).setEndpoints(0, endpoint().setNicMac("52:54:01:00:00:01")))
                .contains("two endpoints"));
    }

    @Test
    void badPortsAreRefused() {
        assertTrue(refusedPort(p -> p.setGuestPort(0)).contains("1..65535"));
        assertTrue(refusedPort(p -> p.setGuestPort(65536)).contains("1..65535"));
        assertTrue(refusedPort(p -> p.setContainerPort(0)).contains("1..65535"));
        assertTrue(refusedPort(p -> p.setProtocol("icmp")).contains("tcp or udp"));
        assertTrue(refusedPort(p -> p.setProtocol("TCP")).contains("tcp or udp"));
        assertTrue(refusedPort(p -> p.setAddress("172.17.0.3")).contains("none of the container's endpoints"));
        assertTrue(refusedPort(p -> p.setAddress("172.17.0.2/16")).contains("IPv4"));
        assertTrue(refused(request().addPorts(port().setContainerPort(81))).contains("published twice"));
        NetworkSpec.parse(request().addPorts(port().setProtocol("udp")).build()); // same port, other protocol: fine
    }

    @Test
    void inconsistentRequestsAreRefused() {
        assertTrue(refused(request().setMode(NetworkMode.NETWORK_MODE_UNSPECIFIED)).contains("mode"));
        assertTrue(refused(request().setMode(NetworkMode.VM_HOST)).contains("VM_HOST"));
        assertTrue(refused(request().addEndpoints(endpoint().setIfname("eth1").setAddress("172.17.0.3/16")))
                .contains("joined twice"));
        assertTrue(refused(request().addEndpoints(endpoint().setBridge("other").setGateway("172.18.0.1/16")
                .setAddress("172.18.0.2/16"))).contains("ifname eth0 is used twice"));
        assertTrue(refused(request().addEndpoints(endpoint().setBridge("other").setIfname("eth1")
                .setGateway("172.18.0.1/16").setAddress("172.18.0.2/16"))).contains("default route"));
        assertTrue(refused(request().setHosts("a\0b")).contains("NUL"));
        assertTrue(refused(request().setHosts("x".repeat(NetworkSpec.MAX_ETC_FILE_BYTES + 1))).contains("over"));
        var many = request().clearEndpoints().clearPorts();
        for (int i = 0; i <= NetworkSpec.MAX_ENDPOINTS; i++) {
            many.addEndpoints(endpoint().setBridge("b" + i).setIfname("eth" + i).setDefaultRoute(false));
        }
        assertTrue(refused(many).contains("at most"));
    }

    @Test
    void anAddedEndpointIsCheckedAsASetupsAreAndMustLeaveTheDefaultRouteAlone() {
        UnaryOperator<Endpoint.Builder> bad = e -> e.setMac("01:00:5e:00:00:01");
        String inSetup = refusedEndpoint(bad);
        String added = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.addedEndpoint(AddEndpointRequest
                .newBuilder().setContainerId("c1").setEndpoint(bad.apply(endpoint()).setDefaultRoute(false)).build()))
                .getMessage();
        assertEquals(inSetup.replace("endpoint 0", "endpoint"), added, "the same check, the same words");
        AddEndpointRequest.Builder q = AddEndpointRequest.newBuilder().setContainerId("c1")
                .setEndpoint(endpoint().setIfname("eth1").setDefaultRoute(false));
        assertEquals("eth1", NetworkSpec.addedEndpoint(q.build()).ifname());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NetworkSpec.addedEndpoint(q.clone()
                .setEndpoint(endpoint()).build())).getMessage().contains("default_route must be false"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NetworkSpec.addedEndpoint(q.clone()
                .clearEndpoint().build())).getMessage().contains("missing"));
        assertThrows(IllegalArgumentException.class, () -> NetworkSpec.addedEndpoint(q.clone().setContainerId("../x").build()));
    }
}
