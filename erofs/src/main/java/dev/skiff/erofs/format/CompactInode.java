package dev.skiff.erofs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct erofs_inode_compact} (32 bytes). Its mtime is the superblock's {@code build_time}; use it only when
 * {@link InodeRecord#fitsCompact} holds.
 *
 * @param layout     data layout
 * @param xattrCount {@code i_xattr_icount} (see {@link XattrBody#icount()})
 * @param mode       full {@code i_mode} including the {@code S_IFMT} bits
 * @param nlink      link count
 * @param size       {@code i_size}
 * @param iu         {@code i_u}: raw_blkaddr, rdev or chunk info
 * @param ino        {@code i_ino}
 * @param uid        owner
 * @param gid        group
 */
public record CompactInode(DataLayout layout, int xattrCount, int mode, int nlink, long size, int iu, int ino,
                           int uid, int gid) implements InodeRecord {
    public static final int SIZE = 32;

    @Override
    public int version() {
        return 0;
    }

    @Override
    public int recordSize() {
        return SIZE;
    }

    @Override
    public void encode(ByteBuffer out) {
        ByteBuffer b = out.slice().order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, InodeRecord.format(0, layout));
        b.putShort(2, (short) xattrCount);
        b.putShort(4, (short) mode);
        b.putShort(6, (short) nlink);
        b.putInt(8, (int) size);
        b.putInt(12, 0);          // i_reserved (i_mtime offset in newer kernels: 0 == build_time)
        b.putInt(16, iu);
        b.putInt(20, ino);
        b.putShort(24, (short) uid);
        b.putShort(26, (short) gid);
        b.putInt(28, 0);          // i_reserved2
        out.position(out.position() + SIZE);
    }
}
