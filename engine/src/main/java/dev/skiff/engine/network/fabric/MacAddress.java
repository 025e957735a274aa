package dev.skiff.engine.network.fabric;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** A 48-bit Ethernet address, held in the low bits of a long so that it is cheap to compare and hash. */
public record MacAddress(long bits) {
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);

    public MacAddress {
        if ((bits & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("not a 48-bit MAC address: " + Long.toHexString(bits));
        }
    }

    /** @param text "02:42:ac:12:00:02" */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long v = 0;
        for (String p : parts) {
            if (p.length() != 2) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            v = v << 8 | HexFormat.fromHexDigits(p);
        }
        return new MacAddress(v);
    }

    /** Docker's form for a container address: 02:42 then the four octets of the IPv4 address. */
    public static MacAddress docker(Ip4Address ip) {
        return new MacAddress(0x0242_0000_0000L | Integer.toUnsignedLong(ip.bits()));
    }

    static MacAddress read(ByteBuffer b, int index) {
        return new MacAddress(Short.toUnsignedLong(b.getShort(index)) << 32 | Integer.toUnsignedLong(b.getInt(index + 2)));
    }

    void write(ByteBuffer b, int index) {
        b.putShort(index, (short) (bits >>> 32)).putInt(index + 2, (int) bits);
    }

    /** The I/G bit: group addresses, broadcast included (IEEE 802-2014 §8.2). */
    public boolean isMulticast() {
        return (bits & 0x0100_0000_0000L) != 0;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            if (s.length() > 0) {
                s.append(':');
            }
            s.append(HexFormat.of().toHexDigits((byte) (bits >>> shift)));
        }
        return s.toString();
    }
}
