package dev.skiff.erofs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code struct erofs_xattr_entry}: name length, name index ({@code EROFS_XATTR_INDEX_*}), value size, then the
 * name without its prefix and the value, padded to 4 bytes ({@code EROFS_XATTR_ALIGN}).
 *
 * @param index  {@code e_name_index}
 * @param suffix name after the prefix the index stands for
 * @param value  the value bytes
 */
public record XattrEntry(int index, byte[] suffix, byte[] value) implements Comparable<XattrEntry> {
    public static final int INDEX_USER = 1;
    public static final int INDEX_POSIX_ACL_ACCESS = 2;
    public static final int INDEX_POSIX_ACL_DEFAULT = 3;
    public static final int INDEX_TRUSTED = 4;
    public static final int INDEX_SECURITY = 6;

    /** Largest value {@code e_value_size} can describe. */
    public static final int MAX_VALUE = 0xFFFF;

    public XattrEntry {
        if (suffix.length > 255) {
            throw new IllegalArgumentException("xattr name longer than 255 bytes");
        }
        if (value.length > MAX_VALUE) {
            throw new IllegalArgumentException("xattr value of " + value.length + " bytes exceeds " + MAX_VALUE);
        }
    }

    /**
     * Splits a full xattr name (raw bytes held one per char, ISO-8859-1) into the index and suffix EROFS stores, or returns {@code null} when the name lies
     * in a namespace EROFS cannot represent (anything but user., trusted., security. and the two POSIX ACLs).
     */
    public static XattrEntry of(String name, byte[] value) {
        byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
        if (name.equals("system.posix_acl_access")) {
            return new XattrEntry(INDEX_POSIX_ACL_ACCESS, new byte[0], value);
        }
        if (name.equals("system.posix_acl_default")) {
            return new XattrEntry(INDEX_POSIX_ACL_DEFAULT, new byte[0], value);
        }
        record Prefix(String text, int index) {}
        for (Prefix p : new Prefix[] {new Prefix("user.", INDEX_USER), new Prefix("trusted.", INDEX_TRUSTED),
                new Prefix("security.", INDEX_SECURITY)}) {
            if (name.startsWith(p.text()) && name.length() > p.text().length()) {
                return new XattrEntry(p.index(), Arrays.copyOfRange(n, p.text().length(), n.length), value);
            }
        }
        return null;
    }

    /** Bytes this entry takes on disk, padding included. */
    public int encodedSize() {
        return (int) Erofs.roundUp(4 + suffix.length + value.length, 4);
    }

    public void encode(ByteBuffer out) {
        ByteBuffer b = out.slice().order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, (byte) suffix.length);
        b.put(1, (byte) index);
        b.putShort(2, (short) value.length);
        b.put(4, suffix);
        b.put(4 + suffix.length, value);
        for (int i = 4 + suffix.length + value.length; i < encodedSize(); i++) {
            b.put(i, (byte) 0);
        }
        out.position(out.position() + encodedSize());
    }

    /** Order by index, then name bytes: deterministic output. */
    @Override
    public int compareTo(XattrEntry o) {
        int c = Integer.compare(index, o.index);
        return c != 0 ? c : Arrays.compareUnsigned(suffix, o.suffix);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof XattrEntry e && e.index == index && Arrays.equals(e.suffix, suffix)
                && Arrays.equals(e.value, value);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * index + Arrays.hashCode(suffix)) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "XattrEntry[" + index + ":" + new String(suffix, StandardCharsets.ISO_8859_1) + "]";
    }
}
