package dev.skiff.agent.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.AddEndpointRequest;
import dev.skiff.agent.api.Endpoint;
import dev.skiff.agent.api.NetworkMode;
import dev.skiff.agent.api.RemoveEndpointRequest;
import dev.skiff.agent.api.SetupNetworkRequest;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * AddEndpoint and RemoveEndpoint on a container set up by SetupNetwork (c1: eth0 on skiff0 with
 * the default route and port 8080), with commands recorded instead of run ({@link NetworksTest}'s
 * fakes): the setup's veth steps into the existing namespace, the checks, the undo of a failure
 * half-way, and teardown taking the added endpoints too.
 */
class EndpointsTest {
    private final NetworksTest.FakeSystem system = new NetworksTest.FakeSystem();
    private final NetworksTest.Recorder runner = new NetworksTest.Recorder(system.links, system.nics);
    private final Networks networks = new Networks(runner, system);
    private static final String NS = "ns:/run/skiff/netns/c1 ip ";

    /** eth1 on skiff1 at 172.18.0.2/16, its gateway's MAC given. */
    static Endpoint.Builder second() {
        return Endpoint.newBuilder().setBridge("skiff1").setGateway("172.18.0.1/16").setAddress("172.18.0.2/16")
                .setMac("02:42:ac:12:00:02").setIfname("eth1").setBridgeMac("02:42:ac:12:00:01");
    }

    private void add(String id, Endpoint.Builder e) throws TtrpcException {
        networks.addEndpoint(AddEndpointRequest.newBuilder().setContainerId(id).setEndpoint(e).build());
    }

    private void remove(String id, String ifname) throws TtrpcException {
        networks.removeEndpoint(RemoveEndpointRequest.newBuilder().setContainerId(id).setIfname(ifname).build());
    }

    private void setUpC1() throws TtrpcException {
        networks.setup(NetworkSpecTest.request().build());
        runner.log.clear();
        system.log.clear();
    }

    private static TtrpcException refused(Code code, String says, Executable call) {
        TtrpcException e = assertThrows(TtrpcException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(says), e.getMessage());
        return e;
    }

    @Test
    void anAddedEndpointGetsItsBridgeAndTheSetupsVethStepsAndNoRouteOrPort() throws Exception {
        setUpC1();
        add("c1", second());
        String veth = IpCommands.hostVeth("c1", 1);
        assertEquals(List.of(
                "ip link add skiff1 type bridge",
                "ip link set skiff1 address 02:42:ac:12:00:01 mtu 1500",
                "ip addr add 172.18.0.1/16 dev skiff1",
                "ip link set skiff1 up",
                "nft: add element ip skiff bridges { 172.18.0.0/16 }\n"
                        + "add flowtable ip skiff flows { hook ingress priority 0; devices = { \"skiff1\" }; }",
                NS + "link add " + veth + " type veth",
                NS + "link set veth0 name eth1 address 02:42:ac:12:00:02 up",
                NS + "addr add 172.18.0.2/16 dev eth1",
                NS + "link set " + veth + " netns 1",
                "ip link set " + veth + " master skiff1 up"), runner.log);
        assertEquals(List.of(), system.log, "the namespace and the /etc files stay as they are");

        runner.log.clear();
        networks.teardown("c1");
        assertEquals(List.of("nft: delete element ip skiff forwards { tcp . 8080 }",
                "ip link del " + IpCommands.hostVeth("c1", 0), "ip link del " + veth), runner.log);
    }

    @Test
    void theNewNetworksCardIsAwaitedAndEnslavedAndAContainerWithoutEndpointsBringsUpTheUplink() throws Exception {
        networks.setup(NetworkSpecTest.request().clearEndpoints().clearPorts().build()); // --network none
        system.nics.put("52:54:01:00:00:01", "eth1");
        add("c1", second().setNicMac("52:54:01:00:00:01"));
        assertEquals(List.of("netns file /run/skiff/netns/c1", "etc c1 c1", "modules", "forwarding",
                "await 52:54:01:00:00:01"), system.log);
        String nic = IpCommands.nicName("skiff1");
        assertTrue(runner.log.containsAll(List.of("ip link set eth1 name " + nic + " mtu 1500",
                "ip link set " + nic + " master skiff1 up")), runner.log.toString());
        assertTrue(runner.log.contains(NS + "link add " + IpCommands.hostVeth("c1", 0) + " type veth"), "slot 0 was free");
    }

    @Test
    void badOrClashingEndpointsAreRefusedAndNothingRuns() throws Exception {
        setUpC1();
        networks.setup(SetupNetworkRequest.newBuilder().setContainerId("h").setMode(NetworkMode.VM_HOST).build());
        networks.setup(NetworkSpecTest.request().setContainerId("c2").clearPorts()
                .setEndpoints(0, second().setAddress("172.18.0.3/16").setMac("02:42:ac:12:00:03").setIfname("eth0")
                        .setDefaultRoute(true)).build());
        runner.log.clear();
        refused(Code.INVALID_ARGUMENT, "default_route", () -> add("c1", second().setDefaultRoute(true)));
        refused(Code.INVALID_ARGUMENT, "bridge", () -> add("c1", second().setBridge("br;x")));
        refused(Code.NOT_FOUND, "no network", () -> add("c9", second()));
        refused(Code.FAILED_PRECONDITION, "VM's own namespace", () -> add("h", second()));
        refused(Code.ALREADY_EXISTS, "interface eth0", () -> add("c1", second().setIfname("eth0")));
        refused(Code.ALREADY_EXISTS, "on bridge skiff0 already", () -> add("c1", NetworkSpecTest.endpoint()
                .setAddress("172.17.0.9/16").setMac("02:42:ac:11:00:09").setIfname("eth1").setDefaultRoute(false)));
        refused(Code.FAILED_PRECONDITION, "is container c2's", () -> add("c1", second().setAddress("172.18.0.3/16")));
        refused(Code.FAILED_PRECONDITION, "has gateway", () -> add("c1", second().setGateway("172.18.0.254/16")));
        refused(Code.FAILED_PRECONDITION, "has MAC", () -> add("c1", second().setBridgeMac("02:42:ac:12:00:fe")));
        refused(Code.FAILED_PRECONDITION, "overlaps", () -> add("c1", second().setBridge("skiff2")));
        assertEquals(List.of(), runner.log);
    }

    @Test
    void aFailureBeforeTheHostEndIsMovedOutDeletesThePairInTheNamespaceAndTheContainerKeepsTheRest() throws Exception {
        setUpC1();
        String veth = IpCommands.hostVeth("c1", 1);
        runner.failOn = "addr add 172.18.0.2/16";
        refused(Code.INTERNAL, "File exists", () -> add("c1", second()));
        assertEquals(NS + "link del " + veth, runner.log.getLast());
        assertFalse(runner.inNamespaces.contains(veth));
        assertTrue(system.links.contains(IpCommands.hostVeth("c1", 0)), "eth0 is untouched");
        assertTrue(system.links.contains("skiff1"), "the bridge stays, as a setup's failure leaves it");
        refused(Code.NOT_FOUND, "no endpoint eth1", () -> remove("c1", "eth1"));

        runner.failOn = "master skiff1";
        refused(Code.INTERNAL, "File exists", () -> add("c1", second()));
        assertEquals("ip link del " + veth, runner.log.getLast(), "moved out already: deleted in the VM's namespace");
        assertFalse(system.links.contains(veth));

        runner.failOn = null;
        runner.log.clear();
        add("c1", second()); // the bridge is found made; the same slot is free again
        assertEquals(NS + "link add " + veth + " type veth", runner.log.getFirst());
    }

    @Test
    void removingDeletesTheVethKeepsTheBridgeAndFreesTheAddressAndTheSlot() throws Exception {
        setUpC1();
        add("c1", second());
        add("c1", second().setBridge("skiff2").setGateway("172.19.0.1/16").setAddress("172.19.0.2/16")
                .setMac("02:42:ac:13:00:02").setIfname("eth2").clearBridgeMac());
        runner.log.clear();
        remove("c1", "eth1");
        assertEquals(List.of("ip link del " + IpCommands.hostVeth("c1", 1)), runner.log);
        refused(Code.NOT_FOUND, "no endpoint eth1", () -> remove("c1", "eth1"));
        networks.setup(NetworkSpecTest.request().setContainerId("c2").clearPorts()
                .setEndpoints(0, second().setIfname("eth0").setDefaultRoute(true)).build()); // 172.18.0.2 is free
        runner.log.clear();
        add("c1", second().setAddress("172.18.0.4/16").setMac("02:42:ac:12:00:04").setIfname("eth3"));
        assertEquals(NS + "link add " + IpCommands.hostVeth("c1", 1) + " type veth", runner.log.getFirst(),
                "slot 1 is free again, slot 2 is eth2's");
    }

    @Test
    void theDefaultRouteAndPublishedPortsStayAndUnknownsAreNotFound() throws Exception {
        networks.setup(NetworkSpecTest.request().addEndpoints(second()).addPorts(NetworkSpecTest.port()
                .setGuestPort(8081).setAddress("172.18.0.2")).build());
        runner.log.clear();
        refused(Code.FAILED_PRECONDITION, "stop the container first", () -> remove("c1", "eth0"));
        refused(Code.FAILED_PRECONDITION, "port tcp/8081 is published", () -> remove("c1", "eth1"));
        refused(Code.NOT_FOUND, "no endpoint eth7", () -> remove("c1", "eth7"));
        refused(Code.NOT_FOUND, "no network", () -> remove("c9", "eth0"));
        refused(Code.INVALID_ARGUMENT, "container id", () -> remove("../x", "eth0"));
        assertEquals(List.of(), runner.log);
    }
}
