package dev.skiff.erofs.write;

import dev.skiff.erofs.format.Erofs;
import dev.skiff.erofs.format.SuperBlock;
import dev.skiff.erofs.tar.Segment;
import dev.skiff.erofs.tree.FileData;
import dev.skiff.erofs.tree.FileTree;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * Writes one EROFS image: stream file data in with {@link #writeData}, build the {@link #tree()} alongside, then
 * {@link #finish} lays out the metadata and writes the superblock. The output file is the only thing written.
 */
public final class ErofsWriter implements Closeable {
    /** What was written. */
    public record Image(long bytes, long blocks, long inodes, UUID uuid, long buildTime, long droppedXattrs) {}

    private final ImageOutput out;
    private final DataWriter data;
    private final FileTree tree = new FileTree();

    private ErofsWriter(ImageOutput out, long inlineBudget) {
        this.out = out;
        this.data = new DataWriter(out, inlineBudget);
    }

    /** Creates or truncates {@code path}. File data starts at block 1; block 0 is written by {@link #finish}. */
    public static ErofsWriter create(Path path) throws IOException {
        return new ErofsWriter(ImageOutput.create(path, Erofs.BLOCK_SIZE), DataWriter.MAX_INLINE_TOTAL);
    }

    /**
     * As {@link #create}, for an image a guest maps in place (a DAX mount on a pmem device): every
     * regular file's data is whole blocks (FLAT_PLAIN), never a tail packed after its inode, since
     * Linux's EROFS maps only FLAT_PLAIN files directly and reads the rest through its page cache.
     * Costs at most one block per file.
     */
    public static ErofsWriter createMappable(Path path) throws IOException {
        return new ErofsWriter(ImageOutput.create(path, Erofs.BLOCK_SIZE), 0);
    }

    public FileTree tree() {
        return tree;
    }

    /** Streams one regular file's data into the image; see {@link DataWriter#write}. */
    public FileData writeData(InputStream in, long size, List<Segment> sparse, int xattrBytes, String entry)
            throws IOException {
        return data.write(in, size, sparse, xattrBytes, entry);
    }

    /**
     * Writes directories, inodes and the superblock.
     *
     * @param uuid the volume UUID (derive it from the content for reproducible images)
     */
    public Image finish(UUID uuid) throws IOException {
        MetadataWriter.Result r = new MetadataWriter(tree, out).write();
        ByteBuffer sb = ByteBuffer.allocate(Erofs.SUPER_SIZE);
        byte[] id = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits()).array();
        new SuperBlock(r.rootNid(), r.inodes(), r.buildTime(), r.buildTimeNsec(), r.blocks(), id,
                r.featureIncompat()).encode(sb);
        sb.flip();
        out.writeAt(Erofs.SUPER_OFFSET, sb);
        long bytes = r.blocks() * Erofs.BLOCK_SIZE;
        out.finish(bytes);
        return new Image(bytes, r.blocks(), r.inodes(), uuid, r.buildTime(), r.droppedXattrs());
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
