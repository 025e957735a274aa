package dev.skiff.erofs;

import dev.skiff.erofs.format.FileType;
import dev.skiff.erofs.format.XattrBody;
import dev.skiff.erofs.format.XattrEntry;
import dev.skiff.erofs.tar.Decompression;
import dev.skiff.erofs.tar.EntryPath;
import dev.skiff.erofs.tar.TarEntry;
import dev.skiff.erofs.tar.TarReader;
import dev.skiff.erofs.tar.Whiteout;
import dev.skiff.erofs.tree.FileData;
import dev.skiff.erofs.tree.FileTree;
import dev.skiff.erofs.tree.Inode;
import dev.skiff.erofs.write.ErofsWriter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Converts an OCI layer tar (plain, gzip or zstd) into an EROFS image in one pass: file data is streamed into the
 * image as entries arrive, the tree is kept in memory, and the metadata is written at the end.
 *
 * <p>Whiteouts become overlayfs whiteouts ({@code .wh.NAME} &rarr; character device 0:0 named NAME;
 * {@code .wh..wh..opq} &rarr; {@code trusted.overlay.opaque=y} on its directory). The image is a function of the
 * tar's bytes alone: its UUID is derived from their SHA-256 and its build time from the entries' mtimes.
 * Nothing but {@code out} is written on the host; on failure {@code out} is deleted.
 */
public final class LayerConverter {
    /** Longest symlink target ({@code PATH_MAX - 1}). */
    public static final int MAX_SYMLINK = 4095;
    /** Largest uid or gid ({@code i_uid}/{@code i_gid} of the extended inode are 32 bits). */
    public static final long MAX_ID = 0xFFFF_FFFFL;
    /** Device numbers as the kernel's {@code new_encode_dev()} stores them: 12-bit major, 20-bit minor. */
    public static final int MAX_MAJOR = 0xFFF;
    public static final int MAX_MINOR = 0xF_FFFF;

    private LayerConverter() {}

    public static Summary convert(Path layer, Path out) throws IOException {
        if (Files.exists(out) && Files.isSameFile(layer, out)) {
            throw new IOException("failed to convert " + layer + ": the output would overwrite the input");
        }
        try (InputStream in = Files.newInputStream(layer)) {
            return convert(in, out);
        }
    }

    public static Summary convert(InputStream layer, Path out) throws IOException {
        return convert(layer, out, false);
    }

    /**
     * @param mappable lay every file out in whole blocks ({@link ErofsWriter#createMappable}), so that a
     *                 guest can map the image's files in place (DAX)
     */
    public static Summary convert(InputStream layer, Path out, boolean mappable) throws IOException {
        long start = System.nanoTime();
        Counting raw = new Counting(layer);
        try (ErofsWriter writer = mappable ? ErofsWriter.createMappable(out) : ErofsWriter.create(out)) {
            TarReader reader = new TarReader(Decompression.open(raw));
            long entries = 0;
            long fileBytes = 0;
            TarEntry e;
            while ((e = reader.next()) != null) {
                entries++;
                if (e.type() == dev.skiff.erofs.tar.EntryType.REGULAR) {
                    fileBytes += e.size();
                }
                add(e, reader, writer);
            }
            byte[] digest = reader.digest();
            ErofsWriter.Image image = writer.finish(uuid(digest));
            return new Summary(entries, image.inodes(), raw.count, reader.offset(), fileBytes, image.bytes(), image.uuid(),
                    image.droppedXattrs(), Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException | RuntimeException | Error ex) {
            Files.deleteIfExists(out);
            throw ex;
        }
    }

    private static void add(TarEntry e, TarReader reader, ErofsWriter writer) throws IOException {
        String name = e.name();
        FileTree tree = writer.tree();
        List<String> path = EntryPath.parse(name, name, "name");
        Whiteout w = path.isEmpty() ? null : Whiteout.of(path.getLast());
        List<String> parent = path.isEmpty() ? path : path.subList(0, path.size() - 1);
        switch (w) {
            case Whiteout.Opaque o -> {
                tree.markOpaque(parent, name);
                return;
            }
            case Whiteout.Meta m -> {
                return;
            }
            case Whiteout.Hide h -> {
                if (h.name().isEmpty() || h.name().equals(".") || h.name().equals("..")) {
                    throw new LayerException(Names.display(name), "whiteout names no file");
                }
                List<String> hidden = new ArrayList<>(parent);
                hidden.add(h.name());
                tree.put(hidden, Inode.whiteout().attributes(0, e.uid(), e.gid(), e.mtime(), e.mtimeNsec()), name);
                return;
            }
            case null -> { }
        }
        if (e.uid() > MAX_ID || e.gid() > MAX_ID) {
            throw new LayerException(Names.display(name), "uid/gid " + e.uid() + "/" + e.gid()
                    + " does not fit EROFS's 32-bit owner fields");
        }
        if ((e.type() == dev.skiff.erofs.tar.EntryType.CHAR_DEVICE
                || e.type() == dev.skiff.erofs.tar.EntryType.BLOCK_DEVICE)
                && (e.devMajor() < 0 || e.devMajor() > MAX_MAJOR || e.devMinor() < 0 || e.devMinor() > MAX_MINOR)) {
            throw new LayerException(Names.display(name), "device " + e.devMajor() + ":" + e.devMinor()
                    + " does not fit Linux's 12-bit major and 20-bit minor");
        }
        if (path.isEmpty() && e.type() != dev.skiff.erofs.tar.EntryType.DIRECTORY) {
            throw new LayerException(Names.display(name), "only a directory can stand for the layer root");
        }
        Inode node = switch (e.type()) {
            case DIRECTORY -> Inode.directory(0, 0, 0);
            case REGULAR -> {
                int xattrBytes = checkXattrs(e);
                FileData data = writer.writeData(reader.data(), e.size(), e.sparse(), xattrBytes, name);
                yield Inode.regular(data);
            }
            case SYMLINK -> {
                byte[] target = Names.bytes(e.linkName());
                if (target.length > MAX_SYMLINK) {
                    throw new LayerException(Names.display(name), "symlink target of " + target.length
                            + " bytes exceeds " + MAX_SYMLINK);
                }
                yield Inode.symlink(target);
            }
            case CHAR_DEVICE -> Inode.device(FileType.CHAR_DEVICE, e.devMajor(), e.devMinor());
            case BLOCK_DEVICE -> Inode.device(FileType.BLOCK_DEVICE, e.devMajor(), e.devMinor());
            case FIFO -> Inode.special(FileType.FIFO);
            case HARD_LINK -> {
                tree.link(path, EntryPath.parse(e.linkName(), name, "hard link target"), name);
                yield null;
            }
        };
        if (node == null) {
            return;
        }
        checkXattrs(e);
        node.attributes(e.mode(), e.uid(), e.gid(), e.mtime(), e.mtimeNsec());
        node.xattrs.putAll(e.xattrs());
        tree.put(path, node, name);
    }

    /** Refuses xattrs EROFS cannot hold; returns the size of the inode's xattr area. */
    private static int checkXattrs(TarEntry e) throws LayerException {
        if (e.xattrs().isEmpty()) {
            return 0;
        }
        List<XattrEntry> list = new ArrayList<>();
        try {
            for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
                XattrEntry xe = XattrEntry.of(x.getKey(), x.getValue());
                if (xe != null) {
                    list.add(xe);
                }
            }
            return new XattrBody(list).size();
        } catch (IllegalArgumentException ex) {
            throw new LayerException(Names.display(e.name()), "xattrs cannot be stored: " + ex.getMessage());
        }
    }

    /** A name-based UUID (RFC 9562 version 8) from the tar's SHA-256. */
    static UUID uuid(byte[] sha256) {
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (sha256[i] & 0xFF);
            lsb = (lsb << 8) | (sha256[8 + i] & 0xFF);
        }
        msb = (msb & ~0xF000L) | 0x8000L;
        lsb = (lsb & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
        return new UUID(msb, lsb);
    }

    /** Counts the bytes read from the layer blob. */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = super.skip(n);
            count += k;
            return k;
        }
    }
}
