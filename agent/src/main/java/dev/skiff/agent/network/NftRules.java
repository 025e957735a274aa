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
 *   <li>chain {@value #FORWARD}, Docker's network isolation (its DOCKER-ISOLATION chains): of
 *       what the VM routes, only what comes in or goes out through the uplink passes, so a
 *       container on one bridge cannot reach one on another bridge through the VM.</li>
 * </ul>
 * Why "uplink or drop" rather than "drop between two different bridges": nft cannot compare the
 * input and the output interface with each other, so the latter needs a rule or set element per
 * pair of bridges; and there is no other routed path to keep. Outbound NAT (bridge to uplink),
 * published ports after DNAT and the replies (uplink to bridge) are the only routed traffic a
 * container needs. Traffic inside one bridge (on one network, across VMs through the bridge's
 * card too) is switched, and never reaches the IP forward hook since br_netfilter is not loaded
 * (were it, bridged frames would arrive here with the bridge as both interfaces and be dropped).
 * Traffic to the VM's own addresses (a gateway) is input, not forwarded. IPv6 is not forwarded
 * (net.ipv6.conf.all.forwarding stays 0).
 *
 * <p>flowtable {@value #FLOWS}: once a connection the forward chain accepts is established, its
 * packets take the kernel's software fast path from the ingress of the uplink or a bridge straight
 * to the other side, NAT applied, skipping the routing lookup and the prerouting, forward and
 * postrouting hooks. Under emulation every hook a packet crosses is paid in translated code, and
 * a published port's download pays it for every ACK coming back too. Only flows the chain
 * accepts are added (the same uplink tests), so the fast path never carries what the isolation
 * rules drop. A bridge joins the flowtable when it is made; the kernel drops a device from it
 * when the device goes.
 *
 * <p>Module needs (see GuestImageBuilder.NET_MODULES): nft_chain_nat for the nat chains, nft_nat
 * for dnat, nft_masq, and conntrack under both; nf_flow_table_inet and nft_flow_offload for the
 * flowtable; the filter chain, map, set, meta and payload are nf_tables' own.
 */
final class NftRules {
    private NftRules() {}

    static final String NFT = "/usr/sbin/nft";
    static final String TABLE = "skiff", FORWARDS = "forwards", BRIDGES = "bridges", FORWARD = "forward",
            FLOWS = "flows";

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
                + "  flowtable " + FLOWS + " {\n"
                + "    hook ingress priority 0; devices = { " + up + " };\n"
                + "  }\n"
                + "  chain " + FORWARD + " {\n"
                + "    type filter hook forward priority filter; policy drop;\n"
                + "    iifname " + up + " meta l4proto { tcp, udp } flow add @" + FLOWS + "\n"
                + "    oifname " + up + " meta l4proto { tcp, udp } flow add @" + FLOWS + "\n"
                + "    iifname " + up + " accept\n"
                + "    oifname " + up + " accept\n"
                + "  }\n"
                + "}\n";
    }

    /** A new bridge: its subnet is masqueraded on the way out, and the bridge joins the flowtable. */
    static String addBridge(String bridge, Ipv4.Cidr gateway) {
        return "add element ip " + TABLE + " " + BRIDGES + " { " + gateway.subnet() + " }\n"
                + "add flowtable ip " + TABLE + " " + FLOWS + " { hook ingress priority 0; devices = { \"" + bridge
                + "\" }; }\n";
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
