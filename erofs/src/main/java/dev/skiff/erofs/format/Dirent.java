package dev.skiff.erofs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct erofs_dirent} (12 bytes): nid, offset of the name within the directory block, file type. Names
 * follow all dirents of a block, unterminated; the last name of a block ends at the block end or at the first NUL.
 * Dirents are sorted by name across the whole directory so the kernel can binary-search.
 *
 * @param nid     the inode's nid
 * @param nameOff offset of the name from the block start
 * @param type    file type
 */
public record Dirent(long nid, int nameOff, FileType type) {
    public static final int SIZE = 12;

    public void encode(ByteBuffer out) {
        ByteBuffer b = out.slice().order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, nid);
        b.putShort(8, (short) nameOff);
        b.put(10, (byte) type.direntType);
        b.put(11, (byte) 0);
        out.position(out.position() + SIZE);
    }
}
