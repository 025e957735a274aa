package dev.skiff.image.initrd;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;

/**
 * Writes an {@link InitrdTree} as a "newc" cpio archive: the 110-byte ASCII header
 * ({@code 070701} and thirteen 8-digit hex fields), the name, padding to 4 bytes, the data,
 * padding, and the {@code TRAILER!!!} entry. Owners are root, every mtime is {@code mtime},
 * inode numbers count up in path order: the output depends on the tree only.
 */
public final class CpioWriter {
    private static final int S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000;

    private final OutputStream out;
    private final long mtime;
    private long written;
    private int inode = 1;

    public CpioWriter(OutputStream out, long mtime) {
        this.out = out;
        this.mtime = mtime;
    }

    public void write(InitrdTree tree) throws IOException {
        for (Map.Entry<String, InitrdTree.Node> e : tree.nodes().entrySet()) {
            String name = e.getKey().substring(1); // the kernel expects names without the leading slash
            switch (e.getValue()) {
                case InitrdTree.Dir d -> header(name, S_IFDIR | d.mode(), 2, 0);
                case InitrdTree.Symlink s -> {
                    byte[] target = s.target().getBytes(StandardCharsets.UTF_8);
                    header(name, S_IFLNK | 0777, 1, target.length);
                    raw(target);
                    pad();
                }
                case InitrdTree.File f -> {
                    header(name, S_IFREG | f.mode(), 1, f.size());
                    long copied;
                    try (InputStream in = Files.newInputStream(f.source())) {
                        copied = in.transferTo(out);
                    }
                    if (copied != f.size()) {
                        throw new IOException(f.source() + " changed size while the initrd was written");
                    }
                    written += copied;
                    pad();
                }
            }
        }
        inode = 0;
        header("TRAILER!!!", 0, 1, 0);
    }

    private void header(String name, int mode, int nlink, long size) throws IOException {
        if (size > 0xffffffffL) {
            throw new IOException(name + " is larger than newc cpio allows (4 GiB)");
        }
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(110).append("070701");
        for (long field : new long[] {inode, mode, 0, 0, nlink, mtime, size, 0, 0, 0, 0, nameBytes.length + 1, 0}) {
            h.append(String.format("%08x", field));
        }
        if (inode != 0) {
            inode++;
        }
        raw(h.toString().getBytes(StandardCharsets.US_ASCII));
        raw(nameBytes);
        raw(new byte[] {0});
        pad();
    }

    private void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        written += bytes.length;
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }
}
