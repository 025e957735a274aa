package dev.skiff.erofs.write;

import dev.skiff.erofs.format.Erofs;

/**
 * Places inode slots (inode, inline xattrs, tail or chunk map) in the metadata area. A slot of at most one block
 * never crosses a block boundary (the kernel refuses inline data that does); slots go first-fit into one of up to
 * {@link #OPEN} partly filled blocks, which packs the variable-sized tails far tighter than appending. Larger
 * slots (big chunk maps or xattr areas, never inline data) start on a fresh block.
 */
final class SlotAllocator {
    /** Partly filled blocks kept open for first-fit. */
    static final int OPEN = 64;

    private long frontier;
    private final long[] start = new long[OPEN];
    private final int[] used = new int[OPEN];
    private int open;

    /** @param firstBlock block where the area begins */
    SlotAllocator(long firstBlock) {
        this.frontier = firstBlock * Erofs.BLOCK_SIZE;
    }

    /** Returns the byte offset for a slot of {@code bytes}; always 32-byte aligned (a nid). */
    long allocate(long bytes) {
        long size = Erofs.roundUp(bytes, Erofs.ISLOT_SIZE);
        if (size > Erofs.BLOCK_SIZE) {
            long at = frontier;
            frontier = Erofs.roundUp(frontier + size, Erofs.BLOCK_SIZE);
            return at;
        }
        for (int i = 0; i < open; i++) {
            if (used[i] + size <= Erofs.BLOCK_SIZE) {
                long at = start[i] + used[i];
                used[i] += (int) size;
                if (used[i] > Erofs.BLOCK_SIZE - Erofs.ISLOT_SIZE) {
                    close(i);
                }
                return at;
            }
        }
        if (open == OPEN) {
            int fullest = 0;
            for (int i = 1; i < open; i++) {
                if (used[i] > used[fullest]) {
                    fullest = i;
                }
            }
            close(fullest);
        }
        long at = frontier;
        frontier += Erofs.BLOCK_SIZE;
        start[open] = at;
        used[open] = (int) size;
        open++;
        return at;
    }

    private void close(int i) {
        open--;
        start[i] = start[open];
        used[i] = used[open];
    }

    /** End of the area, block aligned. */
    long end() {
        return frontier;
    }
}
