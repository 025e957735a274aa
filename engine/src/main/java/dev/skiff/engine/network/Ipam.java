package dev.skiff.engine.network;

import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.network.fabric.Ip4Address;
import dev.skiff.engine.network.fabric.MacAddress;
import java.util.BitSet;

/**
 * Addresses of one IPv4 subnet: the gateway is fixed, containers get the lowest free address
 * above it, as Docker's default IPAM gives them. Thread-safe.
 */
public final class Ipam {
    private final int network;
    private final int prefix;
    private final int gateway;
    private final BitSet used = new BitSet(); // host part -> taken
    private final int size;

    /** @param subnet "172.17.0.0/16"; @param gateway "172.17.0.1" */
    public Ipam(String subnet, String gateway) {
        String[] parts = subnet.split("/");
        this.prefix = Integer.parseInt(parts[1]);
        if (prefix < 8 || prefix > 30) {
            throw new IllegalArgumentException("subnet prefix must be 8..30: " + subnet);
        }
        int mask = -1 << (32 - prefix);
        this.network = toInt(parts[0]) & mask;
        this.gateway = toInt(gateway);
        if ((this.gateway & mask) != network) {
            throw new IllegalArgumentException("gateway " + gateway + " is outside " + subnet);
        }
        this.size = 1 << (32 - prefix);
        used.set(0);                          // the network address
        used.set(size - 1);                   // broadcast
        used.set(this.gateway - network);
    }

    public int prefixLength() {
        return prefix;
    }

    /** The lowest free address. */
    public synchronized String allocate() throws EngineException {
        int host = used.nextClearBit(0);
        if (host >= size) {
            throw EngineException.conflict("no available IPv4 addresses on this network's address pools");
        }
        used.set(host);
        return toString(network + host);
    }

    /** Takes a given address (--ip): a 400 if it is outside the subnet, a 409 if it is in use. */
    public synchronized String take(String address) throws EngineException {
        int host;
        try {
            host = toInt(address) - network;
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid("invalid IPv4 address " + address);
        }
        if (host <= 0 || host >= size - 1) {
            throw EngineException.invalid("address " + address + " is not in the network's subnet " + toString(network)
                    + "/" + prefix);
        }
        if (used.get(host)) {
            throw EngineException.conflict("Address already in use: " + address);
        }
        used.set(host);
        return address;
    }

    /** Marks an address as taken (a running container found again after a restart). */
    public synchronized void reserve(String address) {
        int host = toInt(address) - network;
        if (host > 0 && host < size) {
            used.set(host);
        }
    }

    public synchronized void release(String address) {
        int host = toInt(address) - network;
        if (host > 0 && host < size - 1 && network + host != gateway) {
            used.clear(host);
        }
    }

    /** One IPv4 codec for the engine: the switch's. */
    static int toInt(String ip) {
        return Ip4Address.parse(ip).bits();
    }

    static String toString(int ip) {
        return new Ip4Address(ip).toString();
    }

    /** Docker's MAC for an address: 02:42 and the four octets. */
    public static String macFor(String ip) {
        return MacAddress.docker(Ip4Address.parse(ip)).toString();
    }
}
