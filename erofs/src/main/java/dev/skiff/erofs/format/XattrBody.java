package dev.skiff.erofs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The inline xattr area right after an inode: {@code struct erofs_xattr_ibody_header} (12 bytes, no shared
 * xattrs, name filter unused) followed by {@link XattrEntry} records. Its size is encoded in the inode as
 * {@code i_xattr_icount}: {@code size = 12 + (icount - 1) * 4}, see {@code erofs_xattr_ibody_size()}.
 *
 * @param entries entries, already sorted
 */
public record XattrBody(List<XattrEntry> entries) {
    public static final int HEADER_SIZE = 12;
    public static final XattrBody EMPTY = new XattrBody(List.of());

    public XattrBody {
        entries = List.copyOf(entries);
        if (icountOf(entries) > 0xFFFF) {
            throw new IllegalArgumentException("xattrs of " + sizeOf(entries) + " bytes exceed the inline xattr area");
        }
    }

    private static int sizeOf(List<XattrEntry> entries) {
        if (entries.isEmpty()) {
            return 0;
        }
        int size = HEADER_SIZE;
        for (XattrEntry e : entries) {
            size += e.encodedSize();
        }
        return size;
    }

    private static int icountOf(List<XattrEntry> entries) {
        return entries.isEmpty() ? 0 : (sizeOf(entries) - HEADER_SIZE) / 4 + 1;
    }

    /** Bytes on disk; 0 when there are no xattrs. */
    public int size() {
        return sizeOf(entries);
    }

    /** {@code i_xattr_icount}. */
    public int icount() {
        return icountOf(entries);
    }

    public void encode(ByteBuffer out) {
        if (entries.isEmpty()) {
            return;
        }
        ByteBuffer b = out.slice().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0);       // h_name_filter (EROFS_FEATURE_COMPAT_XATTR_FILTER not set)
        b.put(4, (byte) 0);   // h_shared_count
        for (int i = 5; i < HEADER_SIZE; i++) {
            b.put(i, (byte) 0);
        }
        b.position(HEADER_SIZE);
        for (XattrEntry e : entries) {
            e.encode(b);
        }
        out.position(out.position() + size());
    }
}
