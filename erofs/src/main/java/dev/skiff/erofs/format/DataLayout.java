package dev.skiff.erofs.format;

/**
 * Inode data layouts ({@code EROFS_INODE_*} in {@code erofs_fs.h}); the writer never compresses, so only the
 * uncompressed ones exist here.
 */
public enum DataLayout {
    /** {@code EROFS_INODE_FLAT_PLAIN}: all data in consecutive blocks from {@code raw_blkaddr}. */
    FLAT_PLAIN(0),
    /** {@code EROFS_INODE_FLAT_INLINE}: whole blocks from {@code raw_blkaddr}, the tail right after the inode. */
    FLAT_INLINE(2),
    /** {@code EROFS_INODE_CHUNK_BASED}: a block map after the inode; {@code EROFS_NULL_ADDR} chunks are holes. */
    CHUNK_BASED(4);

    public final int value;

    DataLayout(int value) {
        this.value = value;
    }
}
