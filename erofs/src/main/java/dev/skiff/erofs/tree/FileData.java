package dev.skiff.erofs.tree;

import dev.skiff.erofs.format.DataLayout;

/**
 * Where a regular file's bytes lie in the image, as the streaming data writer left them.
 *
 * @param size      logical file size
 * @param layout    FLAT_PLAIN (blocks from {@code blkaddr}), FLAT_INLINE (plus {@code tail} after the inode) or
 *                  CHUNK_BASED (sparse: {@code runs})
 * @param blkaddr   first block of the data for the flat layouts
 * @param tail      the last partial block's bytes for FLAT_INLINE, else null
 * @param chunkBits chunk size is {@code blocksize << chunkBits} (CHUNK_BASED only)
 * @param runs      CHUNK_BASED only: triples {first chunk, first block, chunk count}; chunks not covered are holes
 */
public record FileData(long size, DataLayout layout, long blkaddr, byte[] tail, int chunkBits, long[] runs) {
    public static final FileData EMPTY = new FileData(0, DataLayout.FLAT_PLAIN, 0, null, 0, null);

    public static FileData plain(long size, long blkaddr) {
        return new FileData(size, DataLayout.FLAT_PLAIN, blkaddr, null, 0, null);
    }

    public static FileData inline(long size, long blkaddr, byte[] tail) {
        return new FileData(size, DataLayout.FLAT_INLINE, blkaddr, tail, 0, null);
    }

    public static FileData chunked(long size, int chunkBits, long[] runs) {
        return new FileData(size, DataLayout.CHUNK_BASED, 0, null, chunkBits, runs);
    }

    /** Number of chunks of a CHUNK_BASED file. */
    public long chunks() {
        long chunkBytes = (long) dev.skiff.erofs.format.Erofs.BLOCK_SIZE << chunkBits;
        return (size + chunkBytes - 1) / chunkBytes;
    }
}
