package dev.skiff.engine.network;

import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.engine.api.EngineException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The /etc/hosts and /etc/resolv.conf a container gets. {@code host.docker.internal} always names
 * the host, as on Docker Desktop; under Skiff that is QEMU's alias for the host's loopback, and
 * {@code --add-host NAME:host-gateway} resolves to the same address.
 */
public final class HostFiles {
    private HostFiles() {}

    static final String HOST_GATEWAY = "host-gateway";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]{0,252})");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** Checks --add-host entries: "NAME:IP" with IP an IPv4 address or host-gateway. */
    public static void validate(List<String> extraHosts) throws EngineException {
        for (String e : extraHosts) {
            parse(e);
        }
    }

    private static String[] parse(String entry) throws EngineException {
        int colon = entry.indexOf(':');
        if (colon <= 0) {
            throw EngineException.invalid("invalid extra host \"" + entry + "\": use NAME:IP");
        }
        String name = entry.substring(0, colon);
        String ip = entry.substring(colon + 1);
        if (!NAME.matcher(name).matches()) {
            throw EngineException.invalid("invalid extra host \"" + entry + "\": bad host name");
        }
        if (ip.equals(HOST_GATEWAY)) {
            ip = GuestNetwork.HOST_ADDRESS;
        } else if (!IPV4.matcher(ip).matches()) {
            throw EngineException.invalid("invalid extra host \"" + entry + "\": the address must be IPv4 or "
                    + HOST_GATEWAY);
        }
        return new String[] {name, ip};
    }

    /** The hosts file: localhost, the container's own name on its address, the host, the extras. */
    public static String hosts(String hostname, String address, List<String> extraHosts) throws EngineException {
        StringBuilder s = new StringBuilder();
        s.append("127.0.0.1\tlocalhost\n");
        s.append("::1\tlocalhost ip6-localhost ip6-loopback\n");
        s.append("fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
        s.append(GuestNetwork.HOST_ADDRESS).append("\thost.docker.internal\n");
        for (String e : extraHosts) {
            String[] p = parse(e);
            s.append(p[1]).append('\t').append(p[0]).append('\n');
        }
        if (address != null && !address.isEmpty()) {
            s.append(address).append('\t').append(hostname).append('\n');
        }
        return s.toString();
    }

    /**
     * The resolver: QEMU's DNS forwarder, which asks the host's resolvers, as Docker's default
     * bridge copies the host's. (Name service for user networks will answer on their gateways.)
     */
    /**
     * The resolver of a container whose first network is user-defined: the daemon's DNS endpoint
     * on that network, which answers the network's container names, aliases and short ids and
     * asks the host's resolver for the rest (Docker's embedded DNS, at an address of the network
     * rather than 127.0.0.11, since the daemon is outside the container's kernel).
     */
    public static String resolvConf(String dnsAddress) {
        return "# written by Skiff: the network's name service\nnameserver " + dnsAddress + "\noptions ndots:0\n";
    }

    public static String resolvConf() {
        return "# written by Skiff: QEMU's user networking forwards queries to the host's resolvers\n"
                + "nameserver " + GuestNetwork.DNS_ADDRESS + "\n";
    }
}
