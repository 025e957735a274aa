package dev.skiff.agent.network;

import dev.skiff.agent.api.GuestNetwork;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The VM's nftables rules, as scripts for {@code nft -f -}: one process and one netlink
 * transaction per change, all or nothing. Pure text built from validated values.
 *
 * <p>One table, {@value #TABLE}:
 * <ul>
 *   <li>map {@value #FORWARDS}, {@code protocol . guest port : container address . port}, and a
 *       prerouting rule that DNATs what arrives on the uplink through it: publishing a port is
 *       adding one element, unpublishing deleting it, with no rule rewritten;</li>
 *   <li>set {@value #BRIDGES} of bridge subnets, and a postrouting rule masquerading traffic from
 *       them that leaves through the uplink (to QEMU's user network, which NATs it again to the
 *       host).</li>
 * </ul>
 * Nothing filters: containers on different bridges can reach each other through the VM's routing.
 * Module needs (see GuestImageBuilder.NET_MODULES): nft_chain_nat for the nat chains, nft_nat for
 * dnat, nft_masq, and conntrack under both; the map, set, meta and payload are nf_tables' own.
 */
final class NftRules {
    private NftRules() {}

    static final String NFT = "/usr/sbin/nft";
    static final String TABLE = "skiff", FORWARDS = "forwards", BRIDGES = "bridges";

    static List<String> argv() {
        return List.of(NFT, "-f", "-");
    }

    /** The table, made afresh: "add" then "delete" so the delete cannot fail on a first run. */
    static String table() {
        String up = "\"" + GuestNetwork.UPLINK_IFNAME + "\"";
        return "add table ip " + TABLE + "\n"
                + "delete table ip " + TABLE + "\n"
                + "table ip " + TABLE + " {\n"
                + "  map " + FORWARDS + " {\n"
                + "    type inet_proto . inet_service : ipv4_addr . inet_service\n"
                + "  }\n"
                + "  set " + BRIDGES + " {\n"
                + "    type ipv4_addr\n"
                + "    flags interval\n"
                + "  }\n"
                + "  chain prerouting {\n"
                + "    type nat hook prerouting priority dstnat; policy accept;\n"
                + "    iifname " + up + " dnat ip to meta l4proto . th dport map @" + FORWARDS + "\n"
                + "  }\n"
                + "  chain postrouting {\n"
                + "    type nat hook postrouting priority srcnat; policy accept;\n"
                + "    oifname " + up + " ip saddr @" + BRIDGES + " masquerade\n"
                + "  }\n"
                + "}\n";
    }

    static String addBridge(Ipv4.Cidr gateway) {
        return "add element ip " + TABLE + " " + BRIDGES + " { " + gateway.subnet() + " }\n";
    }

    static String deleteBridge(Ipv4.Cidr gateway) {
        return "delete element ip " + TABLE + " " + BRIDGES + " { " + gateway.subnet() + " }\n";
    }

    static String addForwards(List<NetworkSpec.ForwardSpec> ports) {
        return "add element ip " + TABLE + " " + FORWARDS + " { " + ports.stream()
                .map(p -> p.protocol() + " . " + p.guestPort() + " : " + p.address() + " . " + p.containerPort())
                .collect(Collectors.joining(", ")) + " }\n";
    }

    static String deleteForwards(List<NetworkSpec.ForwardSpec> ports) {
        return "delete element ip " + TABLE + " " + FORWARDS + " { " + ports.stream()
                .map(p -> p.protocol() + " . " + p.guestPort())
                .collect(Collectors.joining(", ")) + " }\n";
    }
}
