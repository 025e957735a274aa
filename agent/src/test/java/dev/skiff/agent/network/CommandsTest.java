package dev.skiff.agent.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.SetupNetworkRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The argument vectors and nft scripts, exactly as they will run. */
class CommandsTest {
    private static final String BB = IpCommands.BUSYBOX;

    @Test
    void hostVethNamesFitIfnamsizAndDifferPerContainerAndEndpoint() {
        String a = IpCommands.hostVeth("c1", 0);
        assertEquals(15, a.length());
        assertTrue(a.matches("v[0-9a-f]{12}\\.0"), a);
        assertEquals(a, IpCommands.hostVeth("c1", 0), "derived, not random: teardown finds it again");
        assertNotEquals(a, IpCommands.hostVeth("c2", 0));
        assertNotEquals(a, IpCommands.hostVeth("c1", 1));
        String longId = "x".repeat(64);
        assertNotEquals(IpCommands.hostVeth(longId + "", 0), IpCommands.hostVeth(longId.substring(1) + "y", 0));
        assertTrue(!NetworkSpec.BRIDGE.matcher(a).matches(), "no bridge can have a veth's name");
    }

    @Test
    void cardNamesFitIfnamsizAndClashWithNoBridgeOrVeth() {
        String n = IpCommands.nicName("br-0123456789ab");
        assertEquals(15, n.length());
        assertTrue(n.matches("nic\\.[0-9a-f]{11}"), n);
        assertEquals(n, IpCommands.nicName("br-0123456789ab"), "derived: a later setup finds it");
        assertNotEquals(n, IpCommands.nicName("br-0123456789ac"));
        assertTrue(!NetworkSpec.BRIDGE.matcher(n).matches(), "no bridge can have a card's name");
    }

    @Test
    void aBridgeGetsItsMacAndMtuBeforeItsAddressAndItsCardIsRenamedAndEnslaved() {
        Ipv4.Cidr gw = Ipv4.Cidr.parse("172.20.0.1/16", "gw");
        assertEquals(List.of(
                List.of(BB, "ip", "link", "add", "br-1", "type", "bridge"),
                List.of(BB, "ip", "link", "set", "br-1", "address", "02:42:ac:14:00:01", "mtu", "1500"),
                List.of(BB, "ip", "addr", "add", "172.20.0.1/16", "dev", "br-1"),
                List.of(BB, "ip", "link", "set", "br-1", "up")), IpCommands.bridgeUp("br-1", gw, "02:42:ac:14:00:01"));
        assertEquals(List.of(BB, "ip", "link", "set", "br-1", "mtu", "1500"), IpCommands.bridgeUp("br-1", gw, "").get(1),
                "no MAC: the kernel's choice");
        String nic = IpCommands.nicName("br-1");
        assertEquals(List.of(
                List.of(BB, "ip", "link", "set", "eth1", "name", nic, "mtu", "1500"),
                List.of(BB, "ip", "link", "set", nic, "master", "br-1", "up")), IpCommands.nicToBridge("eth1", "br-1"));
        assertEquals(List.of(BB, "ip", "link", "set", nic, "mtu", "1500"), IpCommands.nicToBridge(nic, "br-1").getFirst(),
                "renamed by an earlier attempt: not again");
    }

    @Test
    void anEndpointIsMadeInsideTheNamespaceAndItsHostEndMovedOut() {
        SetupNetworkRequest q = NetworkSpecTest.request().build();
        NetworkSpec.EndpointSpec e = NetworkSpec.parse(q).endpoints().getFirst();
        String ns = "/run/skiff/netns/c1";
        List<String> enter = List.of(BB, "nsenter", "-F", "--net=" + ns, BB, "ip");
        assertEquals(List.of(
                concat(enter, "link", "add", "vh", "type", "veth"),
                concat(enter, "link", "set", "veth0", "name", "eth0", "address", "02:42:ac:11:00:02", "up"),
                concat(enter, "addr", "add", "172.17.0.2/16", "dev", "eth0"),
                concat(enter, "link", "set", "vh", "netns", "1"),
                List.of(BB, "ip", "link", "set", "vh", "master", "skiff0", "up")), IpCommands.endpoint(ns, "vh", e, 1));
        assertEquals(List.of(BB, "ip", "route", "add", "default", "via", "172.17.0.1", "dev", "eth0"),
                IpCommands.defaultRoute(e));
    }

    @Test
    void aNamespaceIsOneUnshareWhoseShellRunsTheAppletsThenEntersTheVmsNamespace() {
        NetworkSpec.EndpointSpec e = NetworkSpec.parse(NetworkSpecTest.request().build()).endpoints().getFirst();
        String ns = "/run/skiff/netns/c1";
        List<List<String>> inside = new java.util.ArrayList<>(IpCommands.endpointInside("vh", e, 1));
        inside.add(IpCommands.defaultRoute(e));
        assertEquals(List.of(BB, "unshare", "--net=" + ns, BB, "sh", "-c", """
                set -ex
                'ip' 'link' 'add' 'vh' 'type' 'veth'
                'ip' 'link' 'set' 'veth0' 'name' 'eth0' 'address' '02:42:ac:11:00:02' 'up'
                'ip' 'addr' 'add' '172.17.0.2/16' 'dev' 'eth0'
                'ip' 'link' 'set' 'vh' 'netns' '1'
                'ip' 'route' 'add' 'default' 'via' '172.17.0.1' 'dev' 'eth0'
                'nsenter' '-F' '--net=/proc/1/ns/net' 'ip' 'link' 'set' 'vh' 'master' 'skiff0' 'up'
                """), IpCommands.namespaceScript(ns, inside, List.of(IpCommands.endpointToBridge("vh", e)), 1));
        assertThrows(IllegalArgumentException.class, () -> IpCommands.namespaceScript(ns, List.of(List.of("/bin/sh", "-c",
                "reboot")), List.of(), 1), "only busybox applets go into the script");
        assertEquals("'it'\\''s'", IpCommands.quote("it's"));
    }

    @Test
    void theUplinkIsRenamedAddressedAndRouted() {
        assertEquals(List.of(
                List.of(BB, "ip", "link", "set", "lo", "up"),
                List.of(BB, "ip", "link", "set", "eth0", "name", "uplink", "mtu", "1500"),
                List.of(BB, "ip", "addr", "flush", "dev", "uplink"),
                List.of(BB, "ip", "addr", "add", "10.0.2.15/24", "dev", "uplink"),
                List.of(BB, "ip", "link", "set", "uplink", "up"),
                List.of(BB, "ip", "route", "replace", "default", "via", "10.0.2.2", "dev", "uplink")),
                IpCommands.uplinkUp("eth0"));
    }

    @Test
    void portsAreMapElementsAndBridgesSetElements() {
        NetworkSpec s = NetworkSpec.parse(NetworkSpecTest.request()
                .addPorts(NetworkSpecTest.port().setProtocol("udp").setGuestPort(53).setContainerPort(5353)).build());
        assertEquals("add element ip skiff forwards { tcp . 8080 : 172.17.0.2 . 80, udp . 53 : 172.17.0.2 . 5353 }\n",
                NftRules.addForwards(s.ports()));
        assertEquals("delete element ip skiff forwards { tcp . 8080, udp . 53 }\n", NftRules.deleteForwards(s.ports()));
        assertEquals("add element ip skiff bridges { 172.17.0.0/16 }\n"
                + "add flowtable ip skiff flows { hook ingress priority 0; devices = { \"skiff0\" }; }\n",
                NftRules.addBridge("skiff0", s.endpoints().getFirst().gateway()));
        String table = NftRules.table();
        assertTrue(table.startsWith("add table ip skiff\ndelete table ip skiff\ntable ip skiff {\n"), table);
        assertTrue(table.contains("iifname \"uplink\" dnat ip to meta l4proto . th dport map @forwards\n"), table);
        assertTrue(table.contains("oifname \"uplink\" ip saddr @bridges masquerade\n"), table);
        assertTrue(table.contains("  chain forward {\n"
                + "    type filter hook forward priority filter; policy drop;\n"
                + "    iifname \"uplink\" meta l4proto { tcp, udp } flow add @flows\n"
                + "    oifname \"uplink\" meta l4proto { tcp, udp } flow add @flows\n"
                + "    iifname \"uplink\" accept\n"
                + "    oifname \"uplink\" accept\n"
                + "  }\n"), "routed traffic passes only to or from the uplink, and only that takes the fast path: " + table);
        assertTrue(table.contains("  flowtable flows {\n    hook ingress priority 0; devices = { \"uplink\" };\n  }\n"), table);
        assertEquals(List.of("/usr/sbin/nft", "-f", "-"), NftRules.argv());
    }

    static List<String> concat(List<String> head, String... tail) {
        List<String> all = new java.util.ArrayList<>(head);
        all.addAll(List.of(tail));
        return all;
    }
}
