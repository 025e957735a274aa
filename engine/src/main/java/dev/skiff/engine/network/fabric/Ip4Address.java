package dev.skiff.engine.network.fabric;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An IPv4 address as its 32 bits, network order. */
public record Ip4Address(int bits) {
    public static final Ip4Address ANY = new Ip4Address(0);

    /** @param text dotted quad, "172.18.0.2"; no names, no lookups */
    public static Ip4Address parse(String text) {
        String[] p = text.split("\\.", -1);
        if (p.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int v = 0;
        for (String octet : p) {
            if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            int o = Integer.parseInt(octet);
            if (o > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            v = v << 8 | o;
        }
        return new Ip4Address(v);
    }

    public static Ip4Address of(Inet4Address address) {
        byte[] b = address.getAddress();
        return new Ip4Address((b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | b[3] & 0xFF);
    }

    public Inet4Address toInetAddress() {
        try {
            return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (bits >>> 24), (byte) (bits >>> 16), (byte) (bits >>> 8), (byte) bits});
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an address", e);
        }
    }

    @Override
    public String toString() {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xFF) + "." + (bits >>> 8 & 0xFF) + "." + (bits & 0xFF);
    }
}
