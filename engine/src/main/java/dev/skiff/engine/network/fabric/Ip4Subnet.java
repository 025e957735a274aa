package dev.skiff.engine.network.fabric;

/** An IPv4 prefix such as 172.18.0.0/16. */
public record Ip4Subnet(Ip4Address network, int prefixLength) {
    public Ip4Subnet {
        if (prefixLength < 8 || prefixLength > 30) {
            throw new IllegalArgumentException("subnet prefix must be 8..30: /" + prefixLength);
        }
        if ((network.bits() & ~mask(prefixLength)) != 0) {
            throw new IllegalArgumentException("host bits set in subnet " + network + "/" + prefixLength);
        }
    }

    /** @param text "172.18.0.0/16" */
    public static Ip4Subnet parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a subnet: " + text);
        }
        try {
            return new Ip4Subnet(Ip4Address.parse(text.substring(0, slash)), Integer.parseInt(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a subnet: " + text, e);
        }
    }

    private static int mask(int prefixLength) {
        return -1 << (32 - prefixLength);
    }

    public boolean contains(Ip4Address address) {
        return (address.bits() & mask(prefixLength)) == network.bits();
    }

    public Ip4Address broadcast() {
        return new Ip4Address(network.bits() | ~mask(prefixLength));
    }

    /** The highest host address: where a network's DNS endpoint lives by default. */
    public Ip4Address lastUsable() {
        return new Ip4Address(broadcast().bits() - 1);
    }

    /** A host address: inside, and neither the network nor the broadcast address. */
    public boolean isHost(Ip4Address address) {
        return contains(address) && !address.equals(network) && !address.equals(broadcast());
    }

    @Override
    public String toString() {
        return network + "/" + prefixLength;
    }
}
