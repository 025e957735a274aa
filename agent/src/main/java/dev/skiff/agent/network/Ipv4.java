package dev.skiff.agent.network;

/**
 * An IPv4 address, parsed strictly: four decimal octets 0..255, no leading zeros, nothing else
 * (no shorthand such as "10.1", no hex or octal forms that inet_aton would accept).
 */
record Ipv4(int bits) {
    static Ipv4 parse(String text, String what) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException(what + " \"" + text + "\" is not an IPv4 address (a.b.c.d)");
        }
        int bits = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0') || Integer.parseInt(p) > 255) {
                throw new IllegalArgumentException(what + " \"" + text + "\" is not an IPv4 address (a.b.c.d)");
            }
            bits = bits << 8 | Integer.parseInt(p);
        }
        return new Ipv4(bits);
    }

    int octet(int i) {
        return bits >>> (24 - 8 * i) & 0xff;
    }

    @Override
    public String toString() {
        return octet(0) + "." + octet(1) + "." + octet(2) + "." + octet(3);
    }

    /** An address with its prefix length, "172.17.0.1/16". */
    record Cidr(Ipv4 address, int prefix) {
        static Cidr parse(String text, String what) {
            int slash = text.indexOf('/');
            String len = slash < 0 ? "" : text.substring(slash + 1);
            if (slash < 0 || len.isEmpty() || len.length() > 2 || !len.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (len.length() > 1 && len.charAt(0) == '0')) {
                throw new IllegalArgumentException(what + " \"" + text + "\" is not an IPv4 CIDR (a.b.c.d/len)");
            }
            int prefix = Integer.parseInt(len);
            if (prefix > 32) {
                throw new IllegalArgumentException(what + " \"" + text + "\" has a prefix over 32");
            }
            return new Cidr(Ipv4.parse(text.substring(0, slash), what), prefix);
        }

        int mask() {
            return prefix == 0 ? 0 : -1 << (32 - prefix);
        }

        /** The network's own address: "172.17.0.0". */
        Ipv4 network() {
            return new Ipv4(address.bits & mask());
        }

        Ipv4 broadcast() {
            return new Ipv4(address.bits | ~mask());
        }

        boolean contains(Ipv4 other) {
            return (other.bits & mask()) == (address.bits & mask());
        }

        boolean overlaps(Cidr other) {
            int common = Math.min(prefix, other.prefix);
            int m = common == 0 ? 0 : -1 << (32 - common);
            return (address.bits & m) == (other.address.bits & m);
        }

        /** The network in CIDR form, "172.17.0.0/16". */
        String subnet() {
            return network() + "/" + prefix;
        }

        @Override
        public String toString() {
            return address + "/" + prefix;
        }
    }
}
