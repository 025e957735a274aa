package dev.skiff.erofs.format;

/**
 * Constants of the EROFS on-disk format, named as in the kernel's {@code fs/erofs/erofs_fs.h}.
 */
public final class Erofs {
    /** {@code EROFS_SUPER_MAGIC_V1}. */
    public static final int SUPER_MAGIC = 0xE0F5E1E2;
    /** {@code EROFS_SUPER_OFFSET}: the superblock starts 1024 bytes into block 0. */
    public static final int SUPER_OFFSET = 1024;
    /** The superblock is 128 bytes (no {@code sb_extslots}). */
    public static final int SUPER_SIZE = 128;
    /** Block size in bits; the writer always uses 4 KiB blocks, which every kernel page size can mount. */
    public static final int BLOCK_BITS = 12;
    public static final int BLOCK_SIZE = 1 << BLOCK_BITS;
    /** Inode slots are addressed in 32-byte units: {@code nid = offset / 32} (with {@code meta_blkaddr == 0}). */
    public static final int ISLOT_BITS = 5;
    public static final int ISLOT_SIZE = 1 << ISLOT_BITS;
    /** {@code EROFS_NAME_LEN}. */
    public static final int NAME_LEN = 255;
    /** {@code EROFS_NULL_ADDR}: a hole in a chunk block map. */
    public static final int NULL_ADDR = -1;

    /** {@code EROFS_FEATURE_INCOMPAT_CHUNKED_FILE}. */
    public static final int FEATURE_INCOMPAT_CHUNKED_FILE = 0x4;

    /** {@code EROFS_CHUNK_FORMAT_BLKBITS_MASK}. */
    public static final int CHUNK_FORMAT_BLKBITS_MASK = 0x1F;

    private Erofs() {}

    /** Rounds {@code n} up to a multiple of {@code unit} (a power of two). */
    public static long roundUp(long n, int unit) {
        return (n + unit - 1) & -(long) unit;
    }

    /** Number of blocks needed for {@code bytes}. */
    public static long blocks(long bytes) {
        return (bytes + BLOCK_SIZE - 1) >>> BLOCK_BITS;
    }
}
