package dev.skiff.agent.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.agent.api.NetworkMode;
import dev.skiff.agent.api.SetupNetworkRequest;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The order of the steps and the VM's shared state, with commands recorded instead of run: the
 * uplink and modules once, bridges once, a re-setup replacing the earlier one, teardown undoing
 * everything, clashes between containers refused, and a failure half-way undone.
 */
class NetworksTest {
    /**
     * Records commands as one line each ("ip link ...", "nft: SCRIPT"); fails those that match
     * {@link #failOn}. Links made inside a container's namespace are apart until moved to the VM's.
     */
    static final class Recorder implements CommandRunner {
        final List<String> log = new ArrayList<>();
        final Set<String> links, inNamespaces = new HashSet<>();
        final Map<String, String> nics;
        String failOn;

        Recorder(Set<String> links, Map<String, String> nics) {
            this.links = links;
            this.nics = nics;
        }

        @Override
        public String run(List<String> argv, String stdin) throws IOException {
            if (argv.size() == 7 && argv.get(1).equals("unshare") && argv.get(4).equals("sh")) {
                replayNamespaceScript(argv.get(2).substring("--net=".length()), argv.get(6));
                return "";
            }
            String line = argv.get(0).equals(NftRules.NFT) ? "nft: " + stdin.strip()
                    : String.join(" ", argv.subList(1, argv.size())).replace("nsenter -F --net=", "ns:").replace(IpCommands.BUSYBOX + " ", "");
            log.add(line);
            if (failOn != null && line.contains(failOn)) {
                throw new CommandRunner.Failed(argv, "status 1", "ip: RTNETLINK answers: File exists\n");
            }
            Set<String> here = argv.get(1).equals("nsenter") ? inNamespaces : links;
            if (argv.contains("add") && argv.contains("type")) { // "ip link add NAME type ..."
                here.add(argv.get(argv.indexOf("add") + 1));
            }
            if (argv.contains("del")) {
                here.remove(argv.getLast());
            }
            if (argv.contains("netns") && inNamespaces.remove(argv.get(argv.indexOf("netns") - 1))) { // "set X netns PID"
                links.add(argv.get(argv.indexOf("netns") - 1));
            }
            if (argv.contains("name") && argv.contains("set")) { // "ip link set OLD name NEW": a card's rename
                String from = argv.get(argv.indexOf("set") + 1), to = argv.get(argv.indexOf("name") + 1);
                nics.replaceAll((mac, name) -> name.equals(from) ? to : name);
            }
            return "";
        }

        /**
         * {@link IpCommands#namespaceScript}'s one process, recorded as the commands it runs: its
         * lines inside the namespace as through nsenter, those it enters the VM's namespace for as
         * run there.
         */
        private void replayNamespaceScript(String netns, String script) throws IOException {
            log.add("unshare --net=" + netns);
            List<String> lines = new ArrayList<>(List.of(script.split("\n")));
            assertEquals("set -ex", lines.removeFirst());
            for (String line : lines) {
                List<String> words = unquote(line);
                List<String> argv = new ArrayList<>();
                if (words.getFirst().equals("nsenter")) {
                    assertEquals(List.of("nsenter", "-F", "--net=/proc/1/ns/net"), words.subList(0, 3));
                    argv.add(IpCommands.BUSYBOX);
                    argv.addAll(words.subList(3, words.size()));
                } else {
                    argv.addAll(List.of(IpCommands.BUSYBOX, "nsenter", "-F", "--net=" + netns, IpCommands.BUSYBOX));
                    argv.addAll(words);
                }
                run(argv, null);
            }
        }

        /** The words of a line of single-quoted words, as {@link IpCommands#shellLine} writes them. */
        private static List<String> unquote(String line) {
            List<String> words = new ArrayList<>();
            for (String w : line.split("' '")) {
                words.add(w.replaceAll("^'|'$", "").replace("'\\''", "'"));
            }
            return words;
        }
    }

    static final class FakeSystem implements GuestSystem {
        final List<String> log = new ArrayList<>();
        final Set<String> links = new HashSet<>();
        /** Hot-plugged cards by MAC: their current names. */
        final Map<String, String> nics = new HashMap<>();
        boolean hasUplink = true;

        @Override
        public void loadNetModules() {
            log.add("modules");
        }

        @Override
        public Optional<String> linkWithMac(String mac) {
            if (mac.equals(GuestNetwork.UPLINK_MAC)) {
                return hasUplink ? Optional.of("eth0") : Optional.empty();
            }
            return Optional.ofNullable(nics.get(mac));
        }

        @Override
        public String awaitNic(String mac, Duration timeout) throws IOException {
            log.add("await " + mac);
            return linkWithMac(mac).orElseThrow(() -> new IOException("timed out after " + timeout.toSeconds()
                    + " s waiting for network card with MAC " + mac));
        }

        @Override
        public boolean linkExists(String name) {
            return links.contains(name);
        }

        @Override
        public void enableForwarding() {
            log.add("forwarding");
        }

        @Override
        public void prepareNetnsFile(String path) {
            log.add("netns file " + path);
        }

        @Override
        public void removeNetns(String path) {
            log.add("remove netns " + path);
        }

        @Override
        public void writeEtcFiles(String id, String hosts, String resolvConf, String hostname) {
            log.add("etc " + id + " " + hostname.strip());
        }

        @Override
        public void removeEtcFiles(String id) {
            log.add("remove etc " + id);
        }

        @Override
        public long vmNetnsPid() {
            return 1;
        }
    }

    private final FakeSystem system = new FakeSystem();
    private final Recorder runner = new Recorder(system.links, system.nics);
    private final Networks networks = new Networks(runner, system);

    private static SetupNetworkRequest.Builder second() {
        return NetworkSpecTest.request().setContainerId("c2").setHostname("c2\n")
                .setEndpoints(0, NetworkSpecTest.endpoint().setAddress("172.17.0.3/16").setMac("02:42:ac:11:00:03"))
                .setPorts(0, NetworkSpecTest.port().setGuestPort(8081).setAddress("172.17.0.3"));
    }

    @Test
    void firstSetupBringsUpTheUplinkThenTheBridgeThenTheContainer() throws Exception {
        assertEquals("/run/skiff/netns/c1", networks.setup(NetworkSpecTest.request().build()));
        String veth = IpCommands.hostVeth("c1", 0);
        String ns = "ns:/run/skiff/netns/c1 ip ";
        assertEquals(List.of(
                "ip link set lo up",
                "ip link set eth0 name uplink mtu 1500",
                "ip addr flush dev uplink",
                "ip addr add 10.0.2.15/24 dev uplink",
                "ip link set uplink up",
                "ip route replace default via 10.0.2.2 dev uplink",
                "nft: " + NftRules.table().strip(),
                "ip link add skiff0 type bridge",
                "ip link set skiff0 mtu 1500",
                "ip addr add 172.17.0.1/16 dev skiff0",
                "ip link set skiff0 up",
                "nft: add element ip skiff bridges { 172.17.0.0/16 }\n"
                        + "add flowtable ip skiff flows { hook ingress priority 0; devices = { \"skiff0\" }; }",
                "unshare --net=/run/skiff/netns/c1",
                ns + "link set lo up",
                ns + "link add " + veth + " type veth",
                ns + "link set veth0 name eth0 address 02:42:ac:11:00:02 up",
                ns + "addr add 172.17.0.2/16 dev eth0",
                ns + "link set " + veth + " netns 1",
                ns + "route add default via 172.17.0.1 dev eth0",
                "ip link set " + veth + " master skiff0 up",
                "nft: add element ip skiff forwards { tcp . 8080 : 172.17.0.2 . 80 }"), runner.log);
        assertEquals(List.of("modules", "forwarding", "netns file /run/skiff/netns/c1", "etc c1 c1"), system.log);

        runner.log.clear();
        system.log.clear();
        networks.setup(second().build());
        assertFalse(runner.log.stream().anyMatch(l -> l.contains("uplink") || l.contains("bridge")),
                "uplink and bridge are made once: " + runner.log);
        assertFalse(system.log.contains("modules"));
    }

    @Test
    void teardownUndoesEverythingAndUnknownIdsSucceed() throws Exception {
        networks.setup(NetworkSpecTest.request().build());
        runner.log.clear();
        system.log.clear();
        networks.teardown("c1");
        assertEquals(List.of("nft: delete element ip skiff forwards { tcp . 8080 }",
                "ip link del " + IpCommands.hostVeth("c1", 0)), runner.log);
        assertEquals(List.of("remove netns /run/skiff/netns/c1", "remove etc c1"), system.log);
        runner.log.clear();
        networks.teardown("c1");
        networks.teardown("never-seen");
        assertEquals(List.of(), runner.log);
        assertTrue(system.links.contains("skiff0"), "bridges stay");
    }

    @Test
    void aSecondSetupOfTheSameContainerReplacesTheFirst() throws Exception {
        networks.setup(NetworkSpecTest.request().build());
        runner.log.clear();
        networks.setup(NetworkSpecTest.request().build()); // same port: no clash with itself
        assertEquals("nft: delete element ip skiff forwards { tcp . 8080 }", runner.log.getFirst());
        assertEquals("nft: add element ip skiff forwards { tcp . 8080 : 172.17.0.2 . 80 }", runner.log.getLast());
    }

    @Test
    void noEndpointsNeedNoUplinkAndNoModules() throws Exception {
        system.hasUplink = false;
        SetupNetworkRequest none = NetworkSpecTest.request().clearEndpoints().clearPorts().build();
        assertEquals("/run/skiff/netns/c1", networks.setup(none));
        assertEquals(List.of("unshare --net=/run/skiff/netns/c1",
                "ns:/run/skiff/netns/c1 ip link set lo up"), runner.log);
        assertFalse(system.log.contains("modules"));
        TtrpcException e = assertThrows(TtrpcException.class, () -> networks.setup(second().build()));
        assertEquals(Code.FAILED_PRECONDITION, e.code());
        assertTrue(e.getMessage().contains("no uplink"), e.getMessage());
        TtrpcException host = assertThrows(TtrpcException.class, () -> networks.setup(SetupNetworkRequest.newBuilder()
                .setContainerId("h").setMode(NetworkMode.VM_HOST).build()));
        assertEquals(Code.FAILED_PRECONDITION, host.code());
    }

    @Test
    void vmHostModeBringsUpTheUplinkAndMakesNoNamespace() throws Exception {
        assertEquals("", networks.setup(SetupNetworkRequest.newBuilder().setContainerId("h").setMode(NetworkMode.VM_HOST)
                .setHostname("vm\n").build()));
        assertFalse(runner.log.stream().anyMatch(l -> l.contains("unshare")));
        assertTrue(system.log.contains("etc h vm"));
        networks.teardown("h");
        assertFalse(system.log.stream().anyMatch(l -> l.startsWith("remove netns")));
    }

    @Test
    void clashesWithOtherContainersAreRefused() throws Exception {
        networks.setup(NetworkSpecTest.request().build());
        TtrpcException port = assertThrows(TtrpcException.class, () -> networks.setup(second()
                .setPorts(0, NetworkSpecTest.port().setAddress("172.17.0.3")).build()));
        assertEquals(Code.FAILED_PRECONDITION, port.code());
        assertTrue(port.getMessage().contains("tcp/8080"), port.getMessage());
        TtrpcException address = assertThrows(TtrpcException.class, () -> networks.setup(second()
                .setEndpoints(0, NetworkSpecTest.endpoint()).setPorts(0, NetworkSpecTest.port().setGuestPort(9)).build()));
        assertEquals(Code.FAILED_PRECONDITION, address.code());
        TtrpcException gateway = assertThrows(TtrpcException.class, () -> networks.setup(second().clearPorts()
                .setEndpoints(0, NetworkSpecTest.endpoint().setGateway("172.17.0.254/16").setAddress("172.17.0.3/16"))
                .build()));
        assertTrue(gateway.getMessage().contains("has gateway"), gateway.getMessage());
        TtrpcException overlap = assertThrows(TtrpcException.class, () -> networks.setup(second().clearPorts()
                .setEndpoints(0, NetworkSpecTest.endpoint().setBridge("skiff1").setGateway("172.17.1.1/24")
                        .setAddress("172.17.1.2/24")).build()));
        assertTrue(overlap.getMessage().contains("overlaps"), overlap.getMessage());
    }

    @Test
    void aFailureHalfWayIsUndoneAndReportedWithTheCommandsOutput() throws Exception {
        runner.failOn = "addr add 172.17.0.2/16";
        TtrpcException e = assertThrows(TtrpcException.class, () -> networks.setup(NetworkSpecTest.request().build()));
        assertEquals(Code.INTERNAL, e.code());
        assertTrue(e.getMessage().contains("File exists"), e.getMessage());
        assertTrue(system.log.contains("remove netns /run/skiff/netns/c1"), system.log.toString());
        assertFalse(runner.log.stream().anyMatch(l -> l.startsWith("nft: delete")), "no ports were added");
        assertFalse(system.links.contains(IpCommands.hostVeth("c1", 0)), "the veth is gone");
        runner.failOn = null;
        networks.setup(NetworkSpecTest.request().build()); // and the same id works again
    }

    @Test
    void badRequestsAreInvalidArguments() {
        TtrpcException e = assertThrows(TtrpcException.class, () -> networks.setup(NetworkSpecTest.request()
                .setEndpoints(0, NetworkSpecTest.endpoint().setBridge("br;x")).build()));
        assertEquals(Code.INVALID_ARGUMENT, e.code());
        assertEquals(List.of(), runner.log, "nothing ran");
        assertEquals(Code.INVALID_ARGUMENT, assertThrows(TtrpcException.class, () -> networks.teardown("../x")).code());
    }
}
