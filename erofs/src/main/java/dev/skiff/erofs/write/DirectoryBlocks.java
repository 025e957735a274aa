package dev.skiff.erofs.write;

import dev.skiff.erofs.Names;
import dev.skiff.erofs.format.Dirent;
import dev.skiff.erofs.format.Erofs;
import dev.skiff.erofs.tree.Inode;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;

/**
 * One directory's entries ({@code .} and {@code ..} included) sorted by name in unsigned byte order, as the
 * kernel's binary search in {@code fs/erofs/namei.c} expects, and packed into blocks: each block holds
 * {@link Dirent}s and then their names; no entry spans two blocks.
 */
final class DirectoryBlocks {
    final String[] names;
    final Inode[] inodes;
    /** Index of the first entry of each block, plus a final element == names.length. */
    final int[] starts;
    /** Bytes used in the last block. */
    final int lastUsed;

    DirectoryBlocks(Inode dir) {
        int n = dir.children.size() + 2;
        String[] keys = new String[n];
        int k = 0;
        for (String name : dir.children.keySet()) {
            keys[k++] = name;
        }
        keys[k++] = ".";
        keys[k] = "..";
        Arrays.sort(keys);
        names = keys;
        inodes = new Inode[n];
        Map<String, Inode> children = dir.children;
        for (int i = 0; i < n; i++) {
            inodes[i] = switch (keys[i]) {
                case "." -> dir;
                case ".." -> dir.parent == null ? dir : dir.parent;
                default -> children.get(keys[i]);
            };
        }
        int[] st = new int[n + 1];
        int blocks = 0;
        int used = 0;
        st[0] = 0;
        for (int i = 0; i < n; i++) {
            int need = Dirent.SIZE + keys[i].length();
            if (used + need > Erofs.BLOCK_SIZE) {
                st[++blocks] = i;
                used = 0;
            }
            used += need;
        }
        st[++blocks] = n;
        starts = Arrays.copyOf(st, blocks + 1);
        lastUsed = used;
    }

    int blockCount() {
        return starts.length - 1;
    }

    /** {@code i_size}: full blocks plus the used part of the last. */
    long size() {
        return (long) (blockCount() - 1) * Erofs.BLOCK_SIZE + lastUsed;
    }

    /** Encodes block {@code b} (unpadded: the last block's length is {@link #lastUsed}); nids must be assigned. */
    ByteBuffer block(int b) {
        int from = starts[b];
        int to = starts[b + 1];
        ByteBuffer out = ByteBuffer.allocate(Erofs.BLOCK_SIZE);
        int nameOff = (to - from) * Dirent.SIZE;
        for (int i = from; i < to; i++) {
            new Dirent(inodes[i].nid, nameOff, inodes[i].type).encode(out);
            nameOff += names[i].length();
        }
        for (int i = from; i < to; i++) {
            out.put(Names.bytes(names[i]));
        }
        out.flip();
        return out;
    }
}
