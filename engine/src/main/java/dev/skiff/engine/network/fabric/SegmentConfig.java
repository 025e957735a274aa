package dev.skiff.engine.network.fabric;

/**
 * One docker network as the fabric sees it. The gateway address and MAC are the same in every
 * VM (each VM's bridge holds them, so traffic to the outside never crosses the daemon); the DNS
 * endpoint is answered by the daemon itself.
 */
public record SegmentConfig(String networkId, Ip4Subnet subnet, Ip4Address gateway, MacAddress gatewayMac, Ip4Address dns,
        MacAddress dnsMac) {
    public SegmentConfig {
        if (networkId == null || networkId.isEmpty()) {
            throw new IllegalArgumentException("a segment needs a network id");
        }
        if (!subnet.isHost(gateway) || !subnet.isHost(dns) || gateway.equals(dns)) {
            throw new IllegalArgumentException("gateway " + gateway + " and DNS " + dns + " must be distinct hosts of " + subnet);
        }
        if (gatewayMac.isMulticast() || dnsMac.isMulticast() || gatewayMac.equals(dnsMac)) {
            throw new IllegalArgumentException("gateway MAC " + gatewayMac + " and DNS MAC " + dnsMac + " must be distinct unicast addresses");
        }
    }

    /** The DNS endpoint at the subnet's last usable address, with Docker's MAC form for it (02:42 + its octets). */
    public static SegmentConfig of(String networkId, String subnet, String gateway, String gatewayMac) {
        Ip4Subnet net = Ip4Subnet.parse(subnet);
        Ip4Address dns = net.lastUsable();
        return new SegmentConfig(networkId, net, Ip4Address.parse(gateway), MacAddress.parse(gatewayMac), dns, MacAddress.docker(dns));
    }
}
