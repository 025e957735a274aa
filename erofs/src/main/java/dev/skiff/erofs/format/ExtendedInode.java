package dev.skiff.erofs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct erofs_inode_extended} (64 bytes): 64-bit size, 32-bit ids and link count, own mtime.
 *
 * @param layout     data layout
 * @param xattrCount {@code i_xattr_icount}
 * @param mode       full {@code i_mode}
 * @param size       {@code i_size}
 * @param iu         {@code i_u}
 * @param ino        {@code i_ino}
 * @param uid        owner
 * @param gid        group
 * @param mtime      seconds since the epoch
 * @param mtimeNsec  nanoseconds
 * @param nlink      link count
 */
public record ExtendedInode(DataLayout layout, int xattrCount, int mode, long size, int iu, int ino, long uid,
                            long gid, long mtime, int mtimeNsec, long nlink) implements InodeRecord {
    public static final int SIZE = 64;

    @Override
    public int version() {
        return 1;
    }

    @Override
    public int recordSize() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer out) {
        ByteBuffer b = out.slice().order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, InodeRecord.format(1, layout));
        b.putShort(2, (short) xattrCount);
        b.putShort(4, (short) mode);
        b.putShort(6, (short) 0);    // i_reserved
        b.putLong(8, size);
        b.putInt(16, iu);
        b.putInt(20, ino);
        b.putInt(24, (int) uid);
        b.putInt(28, (int) gid);
        b.putLong(32, mtime);
        b.putInt(40, mtimeNsec);
        b.putInt(44, (int) nlink);
        for (int i = 48; i < SIZE; i++) {
            b.put(i, (byte) 0);      // i_reserved2[16]
        }
        out.position(out.position() + SIZE);
    }
}
