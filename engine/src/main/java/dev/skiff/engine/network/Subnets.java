package dev.skiff.engine.network;

import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.engine.api.EngineException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * IPv4 subnets: parsing, overlap, and Docker's default address pools (172.17.0.0/16 to
 * 172.31.0.0/16, then 192.168.0.0/16 in /20s), from which a network without a subnet of its own
 * takes the first that overlaps no other network and not the VMs' uplink network.
 */
final class Subnets {
    private Subnets() {}

    private static final Pattern CIDR = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}");

    /** A subnet as base address and prefix length; the base has its host bits cleared. */
    record Cidr(int base, int prefix) {
        static Cidr parse(String cidr) throws EngineException {
            if (!CIDR.matcher(cidr).matches()) {
                throw EngineException.invalid("invalid subnet " + cidr + ": use an IPv4 CIDR such as 172.30.0.0/16");
            }
            String[] p = cidr.split("/");
            int prefix = Integer.parseInt(p[1]);
            if (prefix < 8 || prefix > 30) {
                throw EngineException.invalid("invalid subnet " + cidr + ": the prefix must be 8 to 30");
            }
            int ip;
            try {
                ip = Ipam.toInt(p[0]);
            } catch (IllegalArgumentException e) {
                throw EngineException.invalid("invalid subnet " + cidr + ": " + e.getMessage());
            }
            int mask = -1 << (32 - prefix);
            if ((ip & mask) != ip) {
                throw EngineException.invalid("invalid subnet " + cidr + ": it has host bits set (did you mean "
                        + Ipam.toString(ip & mask) + "/" + prefix + "?)");
            }
            return new Cidr(ip, prefix);
        }

        boolean overlaps(Cidr o) {
            int shorter = Math.min(prefix, o.prefix);
            int mask = -1 << (32 - shorter);
            return (base & mask) == (o.base & mask);
        }

        boolean contains(int ip) {
            return (ip & (-1 << (32 - prefix))) == base;
        }

        /** The first address after the network address: Docker's gateway. */
        String firstHost() {
            return Ipam.toString(base + 1);
        }

        /** The last usable address: where the daemon answers DNS for the network. */
        String lastHost() {
            return Ipam.toString(base + (1 << (32 - prefix)) - 2);
        }

        @Override
        public String toString() {
            return Ipam.toString(base) + "/" + prefix;
        }
    }

    static List<Cidr> defaultPools() {
        List<Cidr> pools = new ArrayList<>();
        for (int b = 17; b <= 31; b++) {
            pools.add(new Cidr(Ipam.toInt("172." + b + ".0.0"), 16));
        }
        for (int c = 0; c < 256; c += 16) {
            pools.add(new Cidr(Ipam.toInt("192.168." + c + ".0"), 20));
        }
        return pools;
    }

    static Cidr uplink() {
        try {
            return Cidr.parse(GuestNetwork.SLIRP_NETWORK);
        } catch (EngineException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first default pool that overlaps none of {@code taken}. */
    static Cidr nextFree(List<Cidr> taken) throws EngineException {
        for (Cidr pool : defaultPools()) {
            if (taken.stream().noneMatch(pool::overlaps)) {
                return pool;
            }
        }
        throw EngineException.invalid("all predefined address pools have been fully subnetted: remove unused networks "
                + "(docker network prune) or give --subnet");
    }
}
