package dev.skiff.agent.network;

import dev.skiff.agent.api.GuestNetwork;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The argument vectors of busybox's {@code ip}, {@code unshare} and {@code nsenter} applets that
 * build the network (busybox 1.35, checked against that binary). Pure: nothing runs here, and
 * every string comes from a validated {@link NetworkSpec} or a constant.
 *
 * <p>Busybox quirks this works around: {@code ip link add A type veth peer name B} ignores the
 * peer's name (the kernel then names the peer {@code veth0}, the first free {@code veth<N>}), and
 * {@code ip link set DEV netns} takes a pid, not a namespace file. So a pair is made inside the
 * container's fresh namespace, where the peer is always {@code veth0} (container names may not be
 * {@code veth<N>}, see {@link NetworkSpec#IFNAME}), with the host end already carrying its final
 * name; the peer is renamed to the container's name, and the host end is moved out to the
 * agent's pid, which lives in the VM's own namespace.
 */
final class IpCommands {
    private IpCommands() {}

    static final String BUSYBOX = "/bin/busybox";
    /** The name the kernel gives a new pair's unnamed end in a namespace with no other veth. */
    static final String NEW_PEER = "veth0";
    /**
     * Every bridge's MTU, and its card's: Ethernet's, as the veths have by default and as the
     * daemon's switch carries between VMs (a frame bigger than one port's MTU would be dropped).
     */
    static final int BRIDGE_MTU = 1500;

    static List<String> ip(String... args) {
        List<String> argv = new ArrayList<>(List.of(BUSYBOX, "ip"));
        argv.addAll(List.of(args));
        return argv;
    }

    /** {@code argv} run inside the network namespace bind-mounted at {@code netns} (no fork: -F). */
    static List<String> inNetns(String netns, List<String> argv) {
        List<String> all = new ArrayList<>(List.of(BUSYBOX, "nsenter", "-F", "--net=" + netns));
        all.addAll(argv);
        return all;
    }

    /** Host veth names per container: the index is one digit ({@link #hostVeth}). */
    static final int VETH_SLOTS = 10;

    /**
     * The host end of a container's veth for endpoint {@code index}: "v", 12 hex digits of the
     * id's SHA-256, ".", the index; 15 characters, the kernel's IFNAMSIZ less its NUL. A hash, not
     * a prefix of the id, because ids may share long prefixes; the '.' keeps it apart from every
     * bridge name ({@link NetworkSpec#BRIDGE} has none).
     */
    static String hostVeth(String containerId, int index) {
        if (index < 0 || index >= VETH_SLOTS) {
            throw new IllegalArgumentException("endpoint index " + index);
        }
        return "v" + sha256Hex(containerId).substring(0, 12) + "." + index;
    }

    /**
     * The name a bridge's network card gets: "nic.", 11 hex digits of the bridge name's SHA-256;
     * 15 characters. Derived, so a later setup finds it; the '.' keeps it apart from every bridge
     * name, and "n" from every host veth ({@link #hostVeth}).
     */
    static String nicName(String bridge) {
        return "nic." + sha256Hex(bridge).substring(0, 11);
    }

    private static String sha256Hex(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The VM's loopback up (a --network host container's 127.0.0.1 is the VM's, and the kernel
     * starts it down), then the uplink NIC renamed, its MTU, address and default route (retry-safe:
     * flush first).
     */
    static List<List<String>> uplinkUp(String currentName) {
        String up = GuestNetwork.UPLINK_IFNAME;
        List<List<String>> c = new ArrayList<>();
        c.add(ip("link", "set", "lo", "up"));
        if (!currentName.equals(up)) {
            c.add(ip("link", "set", currentName, "name", up, "mtu", Integer.toString(GuestNetwork.UPLINK_MTU)));
        } else {
            c.add(ip("link", "set", up, "mtu", Integer.toString(GuestNetwork.UPLINK_MTU)));
        }
        String prefix = GuestNetwork.SLIRP_NETWORK.substring(GuestNetwork.SLIRP_NETWORK.indexOf('/'));
        c.add(ip("addr", "flush", "dev", up));
        c.add(ip("addr", "add", GuestNetwork.GUEST_ADDRESS + prefix, "dev", up));
        c.add(ip("link", "set", up, "up"));
        c.add(ip("route", "replace", "default", "via", GuestNetwork.HOST_ADDRESS, "dev", up));
        return c;
    }

    /**
     * A bridge holding the network's gateway address, up. Its MAC, when given, is set before any
     * port joins: a MAC set by hand stays (the kernel otherwise takes the lowest port's), and it is
     * the gateway's MAC in every VM, so a container's ARP entry for its gateway holds wherever the
     * container runs. The MTU is set by hand too, so it does not follow the ports' ({@link #BRIDGE_MTU}).
     */
    static List<List<String>> bridgeUp(String bridge, Ipv4.Cidr gateway, String bridgeMac) {
        List<String> set = new ArrayList<>(ip("link", "set", bridge));
        if (!bridgeMac.isEmpty()) {
            set.addAll(List.of("address", bridgeMac));
        }
        set.addAll(List.of("mtu", Integer.toString(BRIDGE_MTU)));
        return List.of(
                ip("link", "add", bridge, "type", "bridge"),
                set,
                ip("addr", "add", gateway.toString(), "dev", bridge),
                ip("link", "set", bridge, "up"));
    }

    /**
     * The bridge's network card made one of its ports: renamed from the kernel's eth<N> (only
     * while down, as the kernel requires: a fresh card is), given the bridge's MTU, and enslaved.
     * It carries no address: the bridge holds the gateway's.
     */
    static List<List<String>> nicToBridge(String currentName, String bridge) {
        String nic = nicName(bridge);
        String mtu = Integer.toString(BRIDGE_MTU);
        List<String> rename = currentName.equals(nic) ? ip("link", "set", nic, "mtu", mtu)
                : ip("link", "set", currentName, "name", nic, "mtu", mtu);
        return List.of(rename, ip("link", "set", nic, "master", bridge, "up"));
    }

    /**
     * One endpoint's veth: made in the namespace, the container end renamed and addressed, the
     * host end moved to the VM's namespace ({@code agentPid}'s) and put on the bridge.
     */
    static List<List<String>> endpoint(String netns, String hostVeth, NetworkSpec.EndpointSpec e, long agentPid) {
        List<List<String>> steps = new ArrayList<>();
        for (List<String> argv : endpointInside(hostVeth, e, agentPid)) {
            steps.add(inNetns(netns, argv));
        }
        steps.add(endpointToBridge(hostVeth, e));
        return steps;
    }

    /** The steps of {@link #endpoint} that run inside the container's namespace. */
    static List<List<String>> endpointInside(String hostVeth, NetworkSpec.EndpointSpec e, long agentPid) {
        return List.of(
                ip("link", "add", hostVeth, "type", "veth"),
                ip("link", "set", NEW_PEER, "name", e.ifname(), "address", e.mac(), "up"),
                ip("addr", "add", e.address().toString(), "dev", e.ifname()),
                ip("link", "set", hostVeth, "netns", Long.toString(agentPid)));
    }

    /** The step of {@link #endpoint} that runs in the VM's namespace: the host end onto its bridge, up. */
    static List<String> endpointToBridge(String hostVeth, NetworkSpec.EndpointSpec e) {
        return ip("link", "set", hostVeth, "master", e.bridge(), "up");
    }

    /** The container's default route through an endpoint's gateway, run inside its namespace. */
    static List<String> defaultRoute(NetworkSpec.EndpointSpec e) {
        return ip("route", "add", "default", "via", e.gateway().address().toString(), "dev", e.ifname());
    }

    /**
     * A whole namespace in one process: {@code unshare} makes it and binds it on {@code netns}
     * (an existing empty file), and a busybox shell inside it runs {@code inside}, then {@code
     * inVm} back in the VM's namespace ({@code agentPid}'s) through nsenter. Busybox's shell runs
     * its {@code ip} applet without a new exec, so the namespace costs two execs instead of two per
     * command: under TCG each exec costs tens of milliseconds and fills the translation cache with
     * the new process's code ({@code -e}: the first failure ends it; {@code -x}: the failure
     * quotes the command before its own error). Every element is a busybox {@code ip} vector
     * ({@link #ip}).
     */
    static List<String> namespaceScript(String netns, List<List<String>> inside, List<List<String>> inVm, long agentPid) {
        StringBuilder script = new StringBuilder("set -ex\n");
        for (List<String> argv : inside) {
            script.append(shellLine(applet(argv))).append('\n');
        }
        for (List<String> argv : inVm) {
            List<String> entered = new ArrayList<>(List.of("nsenter", "-F", "--net=/proc/" + agentPid + "/ns/net"));
            entered.addAll(applet(argv));
            script.append(shellLine(entered)).append('\n');
        }
        return List.of(BUSYBOX, "unshare", "--net=" + netns, BUSYBOX, "sh", "-c", script.toString());
    }

    /** A busybox vector without its leading {@value #BUSYBOX}: the applet's name first, as its shell runs it. */
    private static List<String> applet(List<String> argv) {
        if (argv.size() < 2 || !argv.getFirst().equals(BUSYBOX)) {
            throw new IllegalArgumentException("not a busybox command: " + argv);
        }
        return argv.subList(1, argv.size());
    }

    /** One shell command line whose words are exactly {@code words}. */
    static String shellLine(List<String> words) {
        StringBuilder line = new StringBuilder();
        for (String w : words) {
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(quote(w));
        }
        return line.toString();
    }

    /** A shell word that is exactly {@code arg}. */
    static String quote(String arg) {
        return "'" + arg.replace("'", "'\\''") + "'";
    }

    /** Deletes a link; deleting a veth's host end deletes the pair. */
    static List<String> delete(String link) {
        return ip("link", "del", link);
    }
}
