package dev.skiff.erofs.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.format.Erofs;
import dev.skiff.erofs.tree.FileData;
import dev.skiff.erofs.tree.FileTree;
import dev.skiff.erofs.tree.Inode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirectoryBlocksTest {
    @Test
    void sortedByUnsignedBytesWithDots() throws LayerException {
        FileTree t = new FileTree();
        for (String n : List.of("b", "-dash", "\u00e9", "A", "a")) {
            t.put(List.of(n), Inode.regular(FileData.EMPTY), n);
        }
        DirectoryBlocks d = new DirectoryBlocks(t.root());
        assertEquals(List.of("-dash", ".", "..", "A", "a", "b", "\u00e9"), List.of(d.names));
        assertEquals(1, d.blockCount());
        assertEquals(7 * 12 + 5 + 1 + 2 + 1 + 1 + 1 + 1, d.lastUsed);
    }

    @Test
    void entriesNeverSpanBlocks() throws LayerException {
        FileTree t = new FileTree();
        for (int i = 0; i < 500; i++) {
            t.put(List.of("name-%04d".formatted(i)), Inode.regular(FileData.EMPTY), "x");
        }
        DirectoryBlocks d = new DirectoryBlocks(t.root());
        assertTrue(d.blockCount() > 1);
        int total = 0;
        for (int b = 0; b < d.blockCount(); b++) {
            ByteBuffer blk = d.block(b).order(ByteOrder.LITTLE_ENDIAN);
            assertTrue(blk.remaining() <= Erofs.BLOCK_SIZE);
            int count = (d.starts[b + 1] - d.starts[b]);
            assertEquals(count * 12, blk.getShort(8)); // first nameoff: after all dirents
            total += count;
        }
        assertEquals(502, total);
        assertEquals((long) (d.blockCount() - 1) * Erofs.BLOCK_SIZE + d.lastUsed, d.size());
    }
}
