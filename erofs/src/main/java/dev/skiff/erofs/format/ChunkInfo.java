package dev.skiff.erofs.format;

/**
 * {@code struct erofs_inode_chunk_info}, the {@code i_u} of a {@code EROFS_INODE_CHUNK_BASED} inode: the chunk size
 * as {@code blocksize << chunkbits}; without {@code EROFS_CHUNK_FORMAT_INDEXES} the inode is followed (at a 4-byte
 * aligned offset) by a 4-byte block address per chunk, {@link Erofs#NULL_ADDR} for a hole.
 */
public final class ChunkInfo {
    /** Bytes per block map entry ({@code EROFS_BLOCK_MAP_ENTRY_SIZE}). */
    public static final int MAP_ENTRY_SIZE = 4;

    private ChunkInfo() {}

    /** The {@code i_u} value for a block map with chunks of {@code 1 << chunkBits} blocks. */
    public static int iu(int chunkBits) {
        if (chunkBits < 0 || chunkBits > Erofs.CHUNK_FORMAT_BLKBITS_MASK) {
            throw new IllegalArgumentException("chunk bits " + chunkBits);
        }
        return chunkBits; // format = chunkbits, reserved = 0
    }
}
