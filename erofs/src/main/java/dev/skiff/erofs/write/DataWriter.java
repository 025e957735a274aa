package dev.skiff.erofs.write;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.Names;
import dev.skiff.erofs.format.Erofs;
import dev.skiff.erofs.format.ExtendedInode;
import dev.skiff.erofs.tar.Segment;
import dev.skiff.erofs.tree.FileData;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

/**
 * Streams regular-file data into the image as entries arrive, so no file is ever held in memory.
 *
 * <ul>
 *   <li>An ordinary file goes to consecutive blocks. Its last partial block is kept back (at most 4 KiB) to be
 *       tail-packed after the inode (FLAT_INLINE) when it fits there and the {@link #MAX_INLINE_TOTAL} budget
 *       allows; otherwise it is padded to a block (FLAT_PLAIN).</li>
 *   <li>A sparse file (from the tar's sparse map) is written chunk by chunk; chunks no segment touches are
 *       holes in a chunk block map (CHUNK_BASED). The chunk size grows with the file so the map stays within
 *       {@link #MAX_CHUNKS} entries.</li>
 * </ul>
 */
public final class DataWriter {
    /** Total bytes of file tails held in memory for tail-packing; beyond it tails are written as blocks. */
    public static final long MAX_INLINE_TOTAL = 256L << 20;
    /** Largest chunk map of one file, in entries. */
    public static final long MAX_CHUNKS = 1L << 24;
    /** Largest image: the superblock's block count is 32 bits. */
    public static final long MAX_BLOCKS = 0xFFFF_FFFFL;
    /** Largest logical file size (16 TiB, the largest image). */
    public static final long MAX_FILE_SIZE = MAX_BLOCKS << Erofs.BLOCK_BITS;

    private final ImageOutput out;
    private final long inlineBudget;
    private long inlineBytes;

    public DataWriter(ImageOutput out) {
        this(out, MAX_INLINE_TOTAL);
    }

    /** @param inlineBudget total tail bytes to pack after inodes; 0 writes every file in whole blocks (FLAT_PLAIN) */
    public DataWriter(ImageOutput out, long inlineBudget) {
        this.out = out;
        this.inlineBudget = Math.min(inlineBudget, MAX_INLINE_TOTAL);
    }

    /**
     * Writes one file.
     *
     * @param data       the stored bytes: for a sparse file, its segments back to back
     * @param size       logical size
     * @param sparse     the segments of a sparse file, or null
     * @param xattrBytes size of the inode's xattr area, to decide whether the tail fits after the inode
     * @param entry      the entry's name, for errors
     */
    public FileData write(InputStream data, long size, List<Segment> sparse, int xattrBytes, String entry)
            throws IOException {
        if (size < 0 || size > MAX_FILE_SIZE) {
            throw new LayerException(Names.display(entry), "file size " + size + " exceeds the EROFS limit of "
                    + MAX_FILE_SIZE + " bytes");
        }
        long stored = sparse == null ? size : sparse.stream().mapToLong(Segment::length).sum();
        long needed = Erofs.blocks(stored) + (sparse == null ? 1 : 2L * sparse.size());
        if (out.position() / Erofs.BLOCK_SIZE + needed > MAX_BLOCKS) {
            throw new LayerException(Names.display(entry), "the image would exceed EROFS's limit of " + MAX_BLOCKS
                    + " blocks (16 TiB)");
        }
        if (sparse != null) {
            return sparse(data, size, sparse, entry);
        }
        if (size == 0) {
            return FileData.EMPTY;
        }
        long blkaddr = out.position() / Erofs.BLOCK_SIZE;
        long full = size & -(long) Erofs.BLOCK_SIZE;
        int tailLen = (int) (size - full);
        copy(data, full, entry);
        if (tailLen == 0) {
            return FileData.plain(size, blkaddr);
        }
        boolean inline = ExtendedInode.SIZE + xattrBytes + tailLen <= Erofs.BLOCK_SIZE
                && inlineBytes + tailLen <= inlineBudget;
        if (!inline) {
            copy(data, tailLen, entry);
            out.alignToBlock();
            return FileData.plain(size, blkaddr);
        }
        byte[] tail = new byte[tailLen];
        if (data.readNBytes(tail, 0, tailLen) < tailLen) {
            throw ended(entry);
        }
        inlineBytes += tailLen;
        return FileData.inline(size, full == 0 ? 0 : blkaddr, tail);
    }

    private void copy(InputStream data, long n, String entry) throws IOException {
        if (out.transferFrom(data, n) < n) {
            throw ended(entry);
        }
    }

    private static LayerException ended(String entry) {
        return new LayerException(Names.display(entry), "file data ended before the declared size");
    }

    private FileData sparse(InputStream data, long size, List<Segment> segments, String entry) throws IOException {
        long blocks = Erofs.blocks(size);
        int chunkBits = 0;
        while ((blocks >>> chunkBits) > MAX_CHUNKS) {
            chunkBits++;
        }
        long chunkBytes = (long) Erofs.BLOCK_SIZE << chunkBits;
        Runs runs = new Runs(1L << chunkBits);
        long chunk = -1;        // chunk being written
        long written = 0;       // logical bytes of that chunk written so far (data or zero fill)
        for (Segment s : segments) {
            long pos = s.offset();
            long left = s.length();
            while (left > 0) {
                long c = pos / chunkBytes;
                if (c != chunk) {
                    if (chunk >= 0) {
                        closeChunk(chunk, written, chunkBytes, size);
                    }
                    chunk = c;
                    written = 0;
                    runs.add(c, out.position() / Erofs.BLOCK_SIZE);
                }
                long inChunk = pos - c * chunkBytes;
                out.writeZeros(inChunk - written);
                long n = Math.min(left, chunkBytes - inChunk);
                copy(data, n, entry);
                written = inChunk + n;
                pos += n;
                left -= n;
            }
        }
        if (chunk >= 0) {
            closeChunk(chunk, written, chunkBytes, size);
        }
        long[] r = runs.toArray();
        long chunks = (size + chunkBytes - 1) / chunkBytes;
        if (r.length == 3 && r[0] == 0 && r[2] == chunks) {
            return FileData.plain(size, r[1]); // no holes after all
        }
        return FileData.chunked(size, chunkBits, r);
    }

    /** Zero-fills the chunk to its end (or the file's end), then pads to a block. */
    private void closeChunk(long chunk, long written, long chunkBytes, long size) throws IOException {
        long end = Math.min(chunkBytes, size - chunk * chunkBytes);
        out.writeZeros(end - written);
        out.alignToBlock();
    }

    /** Growable list of {first chunk, first block, count} runs, merging chunks that follow each other on disk. */
    private static final class Runs {
        private final long chunkBlocks;
        private long[] a = new long[12];
        private int n;

        Runs(long chunkBlocks) {
            this.chunkBlocks = chunkBlocks;
        }

        void add(long chunk, long block) {
            if (n > 0 && a[n - 3] + a[n - 1] == chunk && a[n - 2] + a[n - 1] * chunkBlocks == block) {
                a[n - 1]++;
                return;
            }
            if (n + 3 > a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[n++] = chunk;
            a[n++] = block;
            a[n++] = 1;
        }

        long[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
