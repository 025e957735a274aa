package dev.skiff.erofs.format;

import java.nio.ByteBuffer;

/**
 * The on-disk inode core, either {@link CompactInode} ({@code struct erofs_inode_compact}, 32 bytes) or
 * {@link ExtendedInode} ({@code struct erofs_inode_extended}, 64 bytes).
 */
public sealed interface InodeRecord permits CompactInode, ExtendedInode {
    /** Bit 0 of {@code i_format}: {@code EROFS_INODE_LAYOUT_COMPACT} (0) or {@code EROFS_INODE_LAYOUT_EXTENDED} (1). */
    int version();

    /** 32 or 64. */
    int recordSize();

    void encode(ByteBuffer out);

    /** {@code i_format}: the version bit and the data layout in bits 1..3. */
    static short format(int version, DataLayout layout) {
        return (short) (version | (layout.value << 1));
    }

    /**
     * {@code i_u.rdev} is the kernel's {@code new_encode_dev()}: minor low byte, major, then the high minor bits.
     */
    static int encodeDevice(int major, int minor) {
        return (minor & 0xFF) | ((major & 0xFFF) << 8) | ((minor & ~0xFF) << 12);
    }

    /** Whether the compact form can carry these values (given the image's build time). */
    static boolean fitsCompact(long size, long uid, long gid, long nlink, long mtime, int mtimeNsec,
                               long buildTime, int buildTimeNsec) {
        return size <= 0xFFFF_FFFFL && uid <= 0xFFFF && gid <= 0xFFFF && nlink <= 0xFFFF
                && mtime == buildTime && mtimeNsec == buildTimeNsec;
    }
}
