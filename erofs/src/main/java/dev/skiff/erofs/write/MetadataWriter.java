package dev.skiff.erofs.write;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.format.ChunkInfo;
import dev.skiff.erofs.format.CompactInode;
import dev.skiff.erofs.format.DataLayout;
import dev.skiff.erofs.format.Erofs;
import dev.skiff.erofs.format.ExtendedInode;
import dev.skiff.erofs.format.FileType;
import dev.skiff.erofs.format.InodeRecord;
import dev.skiff.erofs.format.XattrBody;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import dev.skiff.erofs.tree.FileData;
import dev.skiff.erofs.tree.FileTree;
import dev.skiff.erofs.tree.Inode;

/**
 * Lays out and writes everything but file data once the tree is complete: assigns nids breadth-first, packs
 * directories, chooses compact or extended inodes and the inline layouts, then writes the directory blocks and
 * the inodes after the data, the root inode into block 0, and returns what the superblock needs.
 */
final class MetadataWriter {
    /** The root inode sits right after the superblock: nid 36. */
    static final int ROOT_OFFSET = Erofs.SUPER_OFFSET + Erofs.SUPER_SIZE;

    /** What the superblock needs. */
    record Result(long blocks, long inodes, int rootNid, long buildTime, int buildTimeNsec, int featureIncompat,
                  long droppedXattrs) {}

    private final FileTree tree;
    private final ImageOutput out;
    private final List<Inode> order = new ArrayList<>();
    private final List<DirectoryBlocks> dirs = new ArrayList<>(); // by ordinal, null for non-directories
    private long buildTime;
    private int buildTimeNsec;
    private InodeXattrs xattrs;

    MetadataWriter(FileTree tree, ImageOutput out) {
        this.tree = tree;
        this.out = out;
    }

    Result write() throws IOException {
        walk();
        chooseBuildTime();
        xattrs = new InodeXattrs();
        int n = order.size();
        XattrBody[] xb = new XattrBody[n];
        InodeRecord[] rec = new InodeRecord[n];
        int[] extra = new int[n];
        long[] blk = new long[n];
        int feature = 0;

        out.alignToBlock();
        long nextBlock = out.position() / Erofs.BLOCK_SIZE;
        for (int i = 0; i < n; i++) {
            Inode node = order.get(i);
            xb[i] = xattrs.of(node);
            int fixed = ExtendedInode.SIZE + xb[i].size();
            DataLayout layout = DataLayout.FLAT_PLAIN;
            long size = node.size();
            int iu = 0;
            switch (node.type) {
                case DIRECTORY -> {
                    DirectoryBlocks d = dirs.get(i);
                    size = d.size();
                    boolean inline = i != 0 && d.lastUsed < Erofs.BLOCK_SIZE
                            && inodeSize(node, size) + xb[i].size() + d.lastUsed <= Erofs.BLOCK_SIZE;
                    int plain = inline ? d.blockCount() - 1 : d.blockCount();
                    if (inline) {
                        layout = DataLayout.FLAT_INLINE;
                        extra[i] = d.lastUsed;
                    }
                    blk[i] = plain > 0 ? nextBlock : 0;
                    nextBlock += plain;
                    iu = (int) blk[i];
                }
                case SYMLINK -> {
                    if (fixed + node.target.length <= Erofs.BLOCK_SIZE) {
                        layout = DataLayout.FLAT_INLINE;
                        extra[i] = node.target.length;
                    } else {
                        blk[i] = nextBlock;
                        nextBlock += Erofs.blocks(node.target.length);
                        iu = (int) blk[i];
                    }
                }
                case REGULAR -> {
                    FileData d = node.data;
                    layout = d.layout();
                    switch (layout) {
                        case FLAT_INLINE -> {
                            extra[i] = d.tail().length;
                            iu = (int) d.blkaddr();
                        }
                        case CHUNK_BASED -> {
                            extra[i] = (int) Math.min(Integer.MAX_VALUE, d.chunks() * ChunkInfo.MAP_ENTRY_SIZE);
                            iu = ChunkInfo.iu(d.chunkBits());
                            feature |= Erofs.FEATURE_INCOMPAT_CHUNKED_FILE;
                        }
                        default -> iu = (int) d.blkaddr();
                    }
                }
                case CHAR_DEVICE, BLOCK_DEVICE -> iu = InodeRecord.encodeDevice(node.major, node.minor);
                default -> { }
            }
            rec[i] = record(node, layout, xb[i].icount(), size, iu, i + 1);
        }
        if (nextBlock > DataWriter.MAX_BLOCKS) {
            throw new LayerException(null, "the image would exceed EROFS's limit of " + DataWriter.MAX_BLOCKS
                    + " blocks");
        }

        // inode slots: the root in block 0, the others after the directory blocks
        order.getFirst().nid = ROOT_OFFSET / Erofs.ISLOT_SIZE;
        if (ROOT_OFFSET + rec[0].recordSize() + xb[0].size() > Erofs.BLOCK_SIZE) {
            throw new LayerException(null, "the root directory's xattrs (" + xb[0].size()
                    + " bytes) do not fit in block 0");
        }
        SlotAllocator slots = new SlotAllocator(nextBlock);
        long[] at = new long[n];
        for (int i = 1; i < n; i++) {
            at[i] = slots.allocate(rec[i].recordSize() + xb[i].size() + (long) extra[i]);
            order.get(i).nid = at[i] / Erofs.ISLOT_SIZE;
        }
        if (slots.end() / Erofs.BLOCK_SIZE > DataWriter.MAX_BLOCKS) {
            throw new LayerException(null, "the image would exceed EROFS's limit of " + DataWriter.MAX_BLOCKS
                    + " blocks");
        }

        // directory and long-symlink blocks
        for (int i = 0; i < n; i++) {
            Inode node = order.get(i);
            if (node.isDirectory()) {
                DirectoryBlocks d = dirs.get(i);
                int plain = extra[i] > 0 ? d.blockCount() - 1 : d.blockCount();
                for (int b = 0; b < plain; b++) {
                    out.write(d.block(b));
                    out.alignToBlock();
                }
            } else if (node.type == FileType.SYMLINK && extra[i] == 0 && node.target.length > 0) {
                out.write(node.target, 0, node.target.length);
                out.alignToBlock();
            }
        }
        // inodes, in the order of their offsets
        Integer[] byOffset = new Integer[n - 1];
        for (int i = 1; i < n; i++) {
            byOffset[i - 1] = i;
        }
        java.util.Arrays.sort(byOffset, java.util.Comparator.comparingLong(i -> at[i]));
        for (int i : byOffset) {
            out.writeZeros(at[i] - out.position());
            writeInode(order.get(i), rec[i], xb[i], extra[i], i);
        }
        long end = out.position();
        out.alignToBlock();
        ByteBuffer root = ByteBuffer.allocate(rec[0].recordSize() + xb[0].size());
        rec[0].encode(root);
        xb[0].encode(root);
        root.flip();
        out.writeAt(ROOT_OFFSET, root);
        return new Result(Erofs.blocks(end), n, (int) order.getFirst().nid, buildTime, buildTimeNsec, feature,
                xattrs.dropped());
    }

    private int inodeSize(Inode node, long size) {
        return fitsCompact(node, size) ? CompactInode.SIZE : ExtendedInode.SIZE;
    }

    private boolean fitsCompact(Inode node, long size) {
        return InodeRecord.fitsCompact(size, node.uid, node.gid, node.links, node.mtime, node.mtimeNsec,
                buildTime, buildTimeNsec);
    }

    private InodeRecord record(Inode node, DataLayout layout, int icount, long size, int iu, int ino) {
        if (fitsCompact(node, size)) {
            return new CompactInode(layout, icount, node.mode(), node.links, size, iu, ino, (int) node.uid,
                    (int) node.gid);
        }
        return new ExtendedInode(layout, icount, node.mode(), size, iu, ino, node.uid, node.gid, node.mtime,
                node.mtimeNsec, node.links);
    }

    private void writeInode(Inode node, InodeRecord rec, XattrBody xb, int extra, int i) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(rec.recordSize() + xb.size());
        rec.encode(head);
        xb.encode(head);
        head.flip();
        out.write(head);
        if (extra == 0) {
            return;
        }
        switch (node.type) {
            case DIRECTORY -> {
                DirectoryBlocks d = dirs.get(i);
                out.write(d.block(d.blockCount() - 1));
            }
            case SYMLINK -> out.write(node.target, 0, node.target.length);
            case REGULAR -> {
                if (node.data.layout() == DataLayout.FLAT_INLINE) {
                    out.write(node.data.tail(), 0, node.data.tail().length);
                } else {
                    writeChunkMap(node.data);
                }
            }
            default -> throw new IllegalStateException("inline data for " + node.type);
        }
    }

    private void writeChunkMap(FileData d) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        long[] runs = d.runs();
        long chunks = d.chunks();
        int r = 0;
        for (long c = 0; c < chunks; c++) {
            while (r < runs.length && runs[r] + runs[r + 2] <= c) {
                r += 3;
            }
            int addr = Erofs.NULL_ADDR;
            if (r < runs.length && runs[r] <= c) {
                addr = (int) (runs[r + 1] + ((c - runs[r]) << d.chunkBits()));
            }
            b.putInt(addr);
            if (!b.hasRemaining()) {
                b.flip();
                out.write(b);
                b.clear();
            }
        }
        b.flip();
        out.write(b);
    }

    /** Breadth-first order with sorted children; counts links. */
    private void walk() {
        Inode root = tree.root();
        root.parent = null;
        root.ordinal = 0;
        root.links = 2;
        order.add(root);
        for (int i = 0; i < order.size(); i++) {
            Inode d = order.get(i);
            if (!d.isDirectory()) {
                dirs.add(null);
                continue;
            }
            DirectoryBlocks blocks = new DirectoryBlocks(d);
            dirs.add(blocks);
            for (int k = 0; k < blocks.names.length; k++) {
                Inode kid = blocks.inodes[k];
                String name = blocks.names[k];
                if (name.equals(".") || name.equals("..")) {
                    continue;
                }
                if (kid.ordinal < 0) {
                    kid.ordinal = order.size();
                    kid.links = kid.isDirectory() ? 2 : 0;
                    order.add(kid);
                }
                if (kid.isDirectory()) {
                    d.links++;
                } else {
                    kid.links++;
                }
            }
        }
    }

    /** The most common mtime becomes {@code build_time}, so the most inodes can be compact; ties: the earliest. */
    private void chooseBuildTime() {
        java.util.HashMap<Long, Integer> secs = new java.util.HashMap<>();
        java.util.HashMap<Long, Integer> best = new java.util.HashMap<>();
        for (Inode node : order) {
            if (node.mtimeSet) {
                secs.merge(node.mtime, 1, Integer::sum);
            }
        }
        long bestSec = 0;
        int bestCount = 0;
        for (var e : secs.entrySet()) {
            if (e.getValue() > bestCount || (e.getValue() == bestCount && e.getKey() < bestSec)) {
                bestSec = e.getKey();
                bestCount = e.getValue();
            }
        }
        for (Inode node : order) {
            if (node.mtimeSet && node.mtime == bestSec) {
                best.merge((long) node.mtimeNsec, 1, Integer::sum);
            }
        }
        int bestNsec = 0;
        int nsCount = 0;
        for (var e : best.entrySet()) {
            if (e.getValue() > nsCount || (e.getValue() == nsCount && e.getKey() < bestNsec)) {
                bestNsec = (int) (long) e.getKey();
                nsCount = e.getValue();
            }
        }
        buildTime = bestSec;
        buildTimeNsec = bestNsec;
        for (Inode node : order) {
            if (!node.mtimeSet) {
                node.mtime = buildTime;
                node.mtimeNsec = buildTimeNsec;
            }
        }
    }
}
