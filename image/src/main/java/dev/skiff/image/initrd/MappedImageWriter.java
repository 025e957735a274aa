package dev.skiff.image.initrd;

import dev.skiff.erofs.LayerConverter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes the part of a tree under one folder as an EROFS image a guest maps in place: mounted with
 * DAX from a virtio-pmem device, its files are the host's page cache, shared by every VM, not a copy
 * in each guest's RAM. Every file is laid out in whole blocks (EROFS maps only those in place), and
 * the image is padded to whole {@link #ALIGNMENT}s, the granularity a pmem namespace is mapped in.
 * Fixed owners (root) and times, so the same tree gives the same bytes.
 */
public final class MappedImageWriter {
    /** The image's size is a multiple of this. */
    public static final long ALIGNMENT = 2L << 20;

    private MappedImageWriter() {}

    /**
     * @param tree  the tree whose entries under {@code under} make the image (their paths relative to it)
     * @param under an absolute folder, such as {@code /opt}: the image's root, where the guest mounts it
     * @param mtime every entry's modification time, in seconds
     * @return the image's size in bytes
     */
    public static long write(InitrdTree tree, String under, Path out, long mtime) throws IOException {
        String prefix = under.endsWith("/") ? under : under + "/";
        Path tar = out.resolveSibling(out.getFileName() + ".tar");
        try {
            try (TarArchiveOutputStream t = new TarArchiveOutputStream(
                    new BufferedOutputStream(Files.newOutputStream(tar), 1 << 16))) {
                t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                t.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                for (Map.Entry<String, InitrdTree.Node> e : tree.nodes().entrySet()) {
                    if (e.getKey().startsWith(prefix)) {
                        add(t, e.getKey().substring(prefix.length()), e.getValue(), mtime);
                    }
                }
            }
            try (InputStream in = Files.newInputStream(tar)) {
                LayerConverter.convert(in, out, true);
            }
        } finally {
            Files.deleteIfExists(tar);
        }
        long size = Files.size(out);
        long padded = (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw")) {
            f.setLength(padded); // zeros past the file system's last block, which it never reads
        }
        return padded;
    }

    private static void add(TarArchiveOutputStream t, String name, InitrdTree.Node node, long mtime) throws IOException {
        TarArchiveEntry entry = switch (node) {
            case InitrdTree.Dir d -> {
                TarArchiveEntry x = new TarArchiveEntry(name + "/");
                x.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~0777 | d.mode());
                yield x;
            }
            case InitrdTree.Symlink s -> {
                TarArchiveEntry x = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                x.setLinkName(s.target());
                yield x;
            }
            case InitrdTree.File f -> {
                TarArchiveEntry x = new TarArchiveEntry(name);
                x.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~0777 | f.mode());
                x.setSize(f.size());
                yield x;
            }
        };
        entry.setModTime(mtime * 1000);
        entry.setIds(0, 0);
        entry.setNames("root", "root");
        t.putArchiveEntry(entry);
        if (node instanceof InitrdTree.File f) {
            long copied;
            try (InputStream in = Files.newInputStream(f.source())) {
                copied = in.transferTo(t);
            }
            if (copied != f.size()) {
                throw new IOException(f.source() + " changed size while the image was written");
            }
        }
        t.closeArchiveEntry();
    }
}
