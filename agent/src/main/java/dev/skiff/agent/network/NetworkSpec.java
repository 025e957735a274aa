package dev.skiff.agent.network;

import dev.skiff.agent.api.AddEndpointRequest;
import dev.skiff.agent.api.Endpoint;
import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.api.NetworkMode;
import dev.skiff.agent.api.PortForward;
import dev.skiff.agent.api.SetupNetworkRequest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A SetupNetworkRequest after validation: every field checked against agent.proto's rules before
 * anything runs, so that a bad request changes nothing and every string that later becomes a
 * command argument or a line of nft rules is one of a small alphabet. Failures are
 * IllegalArgumentExceptions naming the field (INVALID_ARGUMENT at the RPC edge).
 */
record NetworkSpec(String containerId, NetworkMode mode, List<EndpointSpec> endpoints, List<ForwardSpec> ports,
                   String hosts, String resolvConf, String hostname) {
    /** Endpoints per container: a veth name holds its index as one digit ({@link IpCommands#hostVeth}). */
    static final int MAX_ENDPOINTS = 8;
    /** Published ports per container; their map elements go to nft in one script. */
    static final int MAX_PORTS = 1024;
    /** Each /etc file's size. */
    static final int MAX_ETC_FILE_BYTES = 64 * 1024;

    /** agent.proto: the bridge's name in the VM. No '.', so it cannot be a host veth's name. */
    static final Pattern BRIDGE = Pattern.compile("[a-z0-9-]{1,15}");
    /**
     * The interface's name in the container. Not {@code veth<N>}: the container end of a new pair
     * is named veth0 by the kernel until it is renamed, so such a name would collide.
     */
    static final Pattern IFNAME = Pattern.compile("[a-z][a-z0-9_-]{0,14}");
    static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    /** Names that exist in every namespace or that the agent uses itself. */
    static final Set<String> RESERVED_NAMES = Set.of("lo", GuestNetwork.UPLINK_IFNAME);

    /**
     * One endpoint. {@code bridgeMac} and {@code nicMac} are "" when the request left them out (the
     * kernel picks the bridge's MAC; the network has no card and stays inside this VM).
     */
    record EndpointSpec(String bridge, Ipv4.Cidr gateway, Ipv4.Cidr address, String mac, String ifname,
                        boolean defaultRoute, String bridgeMac, String nicMac) {}

    record ForwardSpec(String protocol, int guestPort, Ipv4 address, int containerPort) {}

    /** Whether this setup needs the uplink and the network modules (else: loopback only). */
    boolean needsUplink() {
        return mode == NetworkMode.VM_HOST || !endpoints.isEmpty();
    }

    static NetworkSpec parse(SetupNetworkRequest q) {
        String id = GuestPaths.checkId(q.getContainerId(), "container id");
        NetworkMode mode = q.getMode();
        if (mode != NetworkMode.NAMESPACE && mode != NetworkMode.VM_HOST) {
            throw new IllegalArgumentException("network mode must be NAMESPACE or VM_HOST, not " + q.getModeValue());
        }
        if (mode == NetworkMode.VM_HOST && (q.getEndpointsCount() > 0 || q.getPortsCount() > 0)) {
            throw new IllegalArgumentException("VM_HOST mode takes no endpoints and no ports");
        }
        if (q.getEndpointsCount() > MAX_ENDPOINTS) {
            throw new IllegalArgumentException("at most " + MAX_ENDPOINTS + " endpoints, not " + q.getEndpointsCount());
        }
        if (q.getPortsCount() > MAX_PORTS) {
            throw new IllegalArgumentException("at most " + MAX_PORTS + " ports, not " + q.getPortsCount());
        }
        List<EndpointSpec> endpoints = new ArrayList<>();
        for (int i = 0; i < q.getEndpointsCount(); i++) {
            endpoints.add(endpoint(q.getEndpoints(i), "endpoint " + i));
        }
        checkDistinct(endpoints);
        List<ForwardSpec> ports = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < q.getPortsCount(); i++) {
            ForwardSpec f = forward(q.getPorts(i), "port " + i, endpoints);
            if (!keys.add(f.protocol() + "/" + f.guestPort())) {
                throw new IllegalArgumentException("port " + i + ": guest port " + f.protocol() + "/" + f.guestPort()
                        + " is published twice");
            }
            ports.add(f);
        }
        return new NetworkSpec(id, mode, List.copyOf(endpoints), List.copyOf(ports), etcFile(q.getHosts(), "hosts"),
                etcFile(q.getResolvConf(), "resolv_conf"), etcFile(q.getHostname(), "hostname"));
    }

    /**
     * AddEndpoint's endpoint, checked as a setup's are, and without the default route: that stays
     * where the setup put it (agent.proto). The checks against the container's other endpoints
     * need its state: {@link Networks} makes them.
     */
    static EndpointSpec addedEndpoint(AddEndpointRequest q) {
        GuestPaths.checkId(q.getContainerId(), "container id");
        if (!q.hasEndpoint()) {
            throw new IllegalArgumentException("endpoint is missing");
        }
        EndpointSpec e = endpoint(q.getEndpoint(), "endpoint");
        if (e.defaultRoute()) {
            throw new IllegalArgumentException("endpoint: default_route must be false: a running container's"
                    + " default route stays on the endpoint its setup gave it");
        }
        return e;
    }

    private static EndpointSpec endpoint(Endpoint e, String where) {
        String bridge = e.getBridge();
        if (!BRIDGE.matcher(bridge).matches() || RESERVED_NAMES.contains(bridge)) {
            throw new IllegalArgumentException(where + ": bridge \"" + bridge + "\" must match "
                    + BRIDGE.pattern() + " and not be one of " + RESERVED_NAMES);
        }
        String ifname = e.getIfname();
        if (!IFNAME.matcher(ifname).matches() || RESERVED_NAMES.contains(ifname) || ifname.matches("veth[0-9]+")) {
            throw new IllegalArgumentException(where + ": ifname \"" + ifname + "\" must match " + IFNAME.pattern()
                    + ", and be neither lo nor veth<N>");
        }
        Ipv4.Cidr gateway = Ipv4.Cidr.parse(e.getGateway(), where + ": gateway");
        Ipv4.Cidr address = Ipv4.Cidr.parse(e.getAddress(), where + ": address");
        if (gateway.prefix() < 8 || gateway.prefix() > 30) {
            throw new IllegalArgumentException(where + ": gateway " + gateway + " needs a prefix of 8 to 30");
        }
        if (address.prefix() != gateway.prefix() || !gateway.contains(address.address())) {
            throw new IllegalArgumentException(where + ": address " + address + " is not in the gateway's network "
                    + gateway.subnet());
        }
        for (Ipv4.Cidr c : List.of(gateway, address)) {
            Ipv4 a = c.address();
            if (a.equals(c.network()) || a.equals(c.broadcast())) {
                throw new IllegalArgumentException(where + ": " + c + " is the network's own or broadcast address");
            }
        }
        if (address.address().equals(gateway.address())) {
            throw new IllegalArgumentException(where + ": address and gateway are both " + address.address());
        }
        checkRoutable(gateway, where);
        String mac = unicastMac(e.getMac(), where + ": MAC");
        String bridgeMac = e.getBridgeMac().isEmpty() ? "" : unicastMac(e.getBridgeMac(), where + ": bridge_mac");
        String nicMac = e.getNicMac().isEmpty() ? "" : unicastMac(e.getNicMac(), where + ": nic_mac");
        // The container, the gateway and the card are three stations on one segment; and the card is
        // found by its MAC among all the VM's links, the uplink's included.
        if (mac.equals(bridgeMac) || mac.equals(nicMac) || (!nicMac.isEmpty() && nicMac.equals(bridgeMac))) {
            throw new IllegalArgumentException(where + ": MAC, bridge_mac and nic_mac must differ");
        }
        if (GuestNetwork.UPLINK_MAC.equals(nicMac) || GuestNetwork.UPLINK_MAC.equals(bridgeMac)
                || GuestNetwork.UPLINK_MAC.equals(mac)) {
            throw new IllegalArgumentException(where + ": " + GuestNetwork.UPLINK_MAC + " is the uplink's MAC");
        }
        return new EndpointSpec(bridge, gateway, address, mac, ifname, e.getDefaultRoute(), bridgeMac, nicMac);
    }

    /** Six hex pairs, normalised to lower case (as sysfs and ip print them), unicast and not zero. */
    private static String unicastMac(String value, String field) {
        String mac = value.toLowerCase(Locale.ROOT);
        if (!MAC.matcher(mac).matches()) {
            throw new IllegalArgumentException(field + " \"" + value + "\" is not six hex pairs (02:42:ac:11:00:02)");
        }
        int first = Integer.parseInt(mac.substring(0, 2), 16);
        if ((first & 1) != 0 || mac.equals("00:00:00:00:00:00")) {
            throw new IllegalArgumentException(field + " " + mac + " is multicast or zero; a NIC needs a unicast one");
        }
        return mac;
    }

    /** A bridge network must not hide the uplink's network, loopback, or multicast and class E space. */
    private static void checkRoutable(Ipv4.Cidr gateway, String where) {
        Ipv4.Cidr uplink = Ipv4.Cidr.parse(GuestNetwork.SLIRP_NETWORK, "uplink network");
        int firstOctet = gateway.address().octet(0);
        if (gateway.overlaps(uplink) || firstOctet == 0 || firstOctet == 127 || firstOctet >= 224) {
            throw new IllegalArgumentException(where + ": network " + gateway.subnet() + " overlaps the uplink ("
                    + GuestNetwork.SLIRP_NETWORK + "), 0/8, loopback or multicast space");
        }
    }

    private static void checkDistinct(List<EndpointSpec> endpoints) {
        Set<String> bridges = new HashSet<>(), ifnames = new HashSet<>(), nics = new HashSet<>();
        int defaults = 0;
        for (EndpointSpec e : endpoints) {
            if (!e.nicMac().isEmpty() && !nics.add(e.nicMac())) {
                throw new IllegalArgumentException("nic_mac " + e.nicMac() + " is named by two endpoints: a card is"
                        + " a port of one bridge");
            }
            if (!bridges.add(e.bridge())) {
                throw new IllegalArgumentException("bridge " + e.bridge() + " is joined twice");
            }
            if (!ifnames.add(e.ifname())) {
                throw new IllegalArgumentException("ifname " + e.ifname() + " is used twice");
            }
            defaults += e.defaultRoute() ? 1 : 0;
        }
        if (defaults > 1) {
            throw new IllegalArgumentException("only one endpoint may carry the default route, not " + defaults);
        }
    }

    private static ForwardSpec forward(PortForward p, String where, List<EndpointSpec> endpoints) {
        if (!p.getProtocol().equals("tcp") && !p.getProtocol().equals("udp")) {
            throw new IllegalArgumentException(where + ": protocol \"" + p.getProtocol() + "\" must be tcp or udp");
        }
        if (p.getGuestPort() < 1 || p.getGuestPort() > 65535 || p.getContainerPort() < 1 || p.getContainerPort() > 65535) {
            throw new IllegalArgumentException(where + ": ports must be 1..65535, not guest " + p.getGuestPort()
                    + " and container " + p.getContainerPort());
        }
        Ipv4 address = Ipv4.parse(p.getAddress(), where + ": address");
        if (endpoints.stream().noneMatch(e -> e.address().address().equals(address))) {
            throw new IllegalArgumentException(where + ": address " + address + " is none of the container's endpoints'");
        }
        return new ForwardSpec(p.getProtocol(), p.getGuestPort(), address, p.getContainerPort());
    }

    private static String etcFile(String content, String field) {
        if (content.length() > MAX_ETC_FILE_BYTES) { // chars <= UTF-8 bytes: a cheap first check
            throw new IllegalArgumentException(field + " is over " + MAX_ETC_FILE_BYTES + " bytes");
        }
        if (content.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_ETC_FILE_BYTES) {
            throw new IllegalArgumentException(field + " is over " + MAX_ETC_FILE_BYTES + " bytes");
        }
        if (content.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(field + " holds a NUL byte");
        }
        return content;
    }
}
