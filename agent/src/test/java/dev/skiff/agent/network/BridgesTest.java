package dev.skiff.agent.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.Endpoint;
import dev.skiff.agent.api.SetupNetworkRequest;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Bridges of networks that span VMs, through {@link Networks} with commands recorded: the
 * gateway's MAC set on the bridge, the hot-plugged card waited for, renamed and enslaved once,
 * later containers finding it in place, and contradicting requests refused before any wait.
 */
class BridgesTest {
    private static final String GATEWAY_MAC = "02:42:ac:11:00:01", CARD = "52:54:01:00:00:01";

    private final NetworksTest.FakeSystem system = new NetworksTest.FakeSystem();
    private final NetworksTest.Recorder runner = new NetworksTest.Recorder(system.links, system.nics);
    private final Networks networks = new Networks(runner, system);
    private final String nic = IpCommands.nicName("skiff0");

    private static Endpoint.Builder spanning() {
        return NetworkSpecTest.endpoint().setBridgeMac(GATEWAY_MAC).setNicMac(CARD);
    }

    /** A second container on the same network: same bridge, gateway MAC and card. */
    private static SetupNetworkRequest.Builder second(Endpoint.Builder e) {
        return NetworkSpecTest.request().setContainerId("c2").clearPorts()
                .setEndpoints(0, e.setAddress("172.17.0.3/16").setMac("02:42:ac:11:00:03"));
    }

    @Test
    void theBridgeGetsTheGatewaysMacAndTheCardIsEnslavedOnceThenFound() throws Exception {
        system.nics.put(CARD, "eth1");
        networks.setup(NetworkSpecTest.request().setEndpoints(0, spanning()).build());
        int add = runner.log.indexOf("ip link add skiff0 type bridge");
        assertEquals(List.of(
                "ip link add skiff0 type bridge",
                "ip link set skiff0 address " + GATEWAY_MAC + " mtu 1500",
                "ip addr add 172.17.0.1/16 dev skiff0",
                "ip link set skiff0 up",
                "ip link set eth1 name " + nic + " mtu 1500",
                "ip link set " + nic + " master skiff0 up",
                "nft: add element ip skiff bridges { 172.17.0.0/16 }\n"
                        + "add flowtable ip skiff flows { hook ingress priority 0; devices = { \"skiff0\" }; }"), runner.log.subList(add, add + 7));
        assertTrue(system.log.indexOf("await " + CARD) < system.log.indexOf("netns file /run/skiff/netns/c1"));
        assertEquals(nic, system.nics.get(CARD));

        runner.log.clear();
        system.log.clear();
        networks.setup(second(spanning()).build());
        assertFalse(runner.log.stream().anyMatch(l -> l.contains(nic) || l.contains("eth1") || l.contains("type bridge")
                || l.contains("bridges")), "the bridge and its card are in place: " + runner.log);
        assertEquals(List.of("await " + CARD), system.log.subList(0, 1), "found at once under its new name");
        networks.teardown("c1");
        networks.teardown("c2");
        assertEquals(nic, system.nics.get(CARD), "the card stays with the bridge");
    }

    @Test
    void aBridgeDescribedOtherwiseThanWhenItWasMadeIsRefusedBeforeAnyWait() throws Exception {
        system.nics.put(CARD, "eth1");
        networks.setup(NetworkSpecTest.request().setEndpoints(0, spanning()).build());
        system.log.clear();
        assertRefused(second(spanning().setBridgeMac("02:42:ac:11:00:fe")), "has MAC " + GATEWAY_MAC);
        assertRefused(second(spanning().clearBridgeMac()), "has MAC " + GATEWAY_MAC + ", not (none)");
        assertRefused(second(spanning().setNicMac("52:54:01:00:00:02")), "has network card " + CARD);
        assertRefused(second(spanning().clearNicMac()), "has network card " + CARD + ", not (none)");
        assertRefused(second(spanning()).setEndpoints(0, spanning().setBridge("skiff1").setGateway("172.18.0.1/16")
                .setAddress("172.18.0.3/16").setBridgeMac("02:42:ac:12:00:01")), "network card " + CARD + " is bridge skiff0's");
        assertFalse(system.log.stream().anyMatch(l -> l.startsWith("await")), "refused before waiting: " + system.log);
    }

    private void assertRefused(SetupNetworkRequest.Builder q, String says) {
        TtrpcException e = assertThrows(TtrpcException.class, () -> networks.setup(q.build()));
        assertEquals(Code.FAILED_PRECONDITION, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }

    @Test
    void aCardThatNeverAppearsIsAFailedPreconditionAndNothingIsMade() {
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> networks.setup(NetworkSpecTest.request().setEndpoints(0, spanning()).build()));
        assertEquals(Code.FAILED_PRECONDITION, e.code());
        assertTrue(e.getMessage().contains("network card with MAC " + CARD), e.getMessage());
        assertFalse(runner.log.stream().anyMatch(l -> l.contains("skiff0") || l.contains("unshare")), runner.log.toString());
    }

    @Test
    void aFailureEnslavingTheCardDeletesTheBridgeAndARetryFindsTheRenamedCard() throws Exception {
        system.nics.put(CARD, "eth1");
        runner.failOn = "master skiff0 up";
        TtrpcException e = assertThrows(TtrpcException.class,
                () -> networks.setup(NetworkSpecTest.request().setEndpoints(0, spanning()).build()));
        assertEquals(Code.INTERNAL, e.code());
        assertTrue(runner.log.contains("ip link del skiff0"), runner.log.toString());
        assertFalse(system.links.contains("skiff0"));
        runner.failOn = null;
        runner.log.clear();
        networks.setup(NetworkSpecTest.request().setEndpoints(0, spanning()).build());
        assertTrue(runner.log.contains("ip link set " + nic + " mtu 1500"), "not renamed again: " + runner.log);
        assertTrue(runner.log.contains("ip link set " + nic + " master skiff0 up"), runner.log.toString());
    }

    @Test
    void aBridgeWithoutAMacOrCardKeepsTheKernelsChoiceAndWaitsForNothing() throws Exception {
        networks.setup(NetworkSpecTest.request().build());
        assertTrue(runner.log.contains("ip link set skiff0 mtu 1500"), runner.log.toString());
        assertFalse(runner.log.stream().anyMatch(l -> l.contains("nic.") || l.contains(" address 02:42:ac:11:00:01")));
        assertFalse(system.log.stream().anyMatch(l -> l.startsWith("await")));
    }
}
