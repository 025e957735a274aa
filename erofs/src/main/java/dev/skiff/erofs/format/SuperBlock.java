package dev.skiff.erofs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@code struct erofs_super_block} (128 bytes at {@link Erofs#SUPER_OFFSET}), as in {@code fs/erofs/erofs_fs.h}.
 *
 * <p>The writer keeps {@code meta_blkaddr} at 0, so a nid is simply the inode's byte offset divided by 32, and it
 * has no shared xattrs, extra devices, compression or superblock checksum.
 *
 * @param rootNid       nid of the root directory ({@code __le16}, so the root inode must sit in the first 2 MiB)
 * @param inodes        {@code inos}: number of inodes
 * @param buildTime     seconds; compact inodes take this as their mtime
 * @param buildTimeNsec nanoseconds of {@code buildTime}
 * @param blocks        total blocks of the image
 * @param uuid          16 bytes
 * @param featureIncompat {@code feature_incompat} bits
 */
public record SuperBlock(int rootNid, long inodes, long buildTime, int buildTimeNsec, long blocks, byte[] uuid,
                         int featureIncompat) {

    public SuperBlock {
        if (rootNid < 0 || rootNid > 0xFFFF) {
            throw new IllegalArgumentException("root nid " + rootNid + " does not fit the 16-bit root_nid field");
        }
        if (blocks < 0 || blocks > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("image of " + blocks + " blocks exceeds the 32-bit block count");
        }
        if (uuid.length != 16) {
            throw new IllegalArgumentException("uuid must be 16 bytes");
        }
    }

    /** Writes the 128-byte record at the buffer's position. */
    public void encode(ByteBuffer out) {
        ByteBuffer b = out.slice().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, Erofs.SUPER_MAGIC);
        b.putInt(4, 0);                        // checksum (EROFS_FEATURE_COMPAT_SB_CHKSUM not set)
        b.putInt(8, 0);                        // feature_compat
        b.put(12, (byte) Erofs.BLOCK_BITS);    // blkszbits
        b.put(13, (byte) 0);                   // sb_extslots
        b.putShort(14, (short) rootNid);
        b.putLong(16, inodes);
        b.putLong(24, buildTime);
        b.putInt(32, buildTimeNsec);
        b.putInt(36, (int) blocks);
        b.putInt(40, 0);                       // meta_blkaddr
        b.putInt(44, 0);                       // xattr_blkaddr (no shared xattrs)
        b.put(48, uuid);
        // volume_name[16] at 64 stays zero
        b.putInt(80, featureIncompat);
        // u1, extra_devices, devt_slotoff, dirblkbits (0: directory block == fs block), prefixes, packed_nid: zero
        for (int i = 84; i < Erofs.SUPER_SIZE; i++) {
            b.put(i, (byte) 0);
        }
        out.position(out.position() + Erofs.SUPER_SIZE);
    }
}
