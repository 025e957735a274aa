package dev.skiff.image.initrd;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads what {@link Lz4LegacyOutputStream} writes (and {@code lz4 -l}): for checking a built initrd.
 * Blocks claiming more than LZ4 can make of 8 MiB are refused, as the kernel refuses them.
 */
public final class Lz4LegacyInputStream extends InputStream {
    private final InputStream in;
    private final byte[] block = new byte[Lz4Block.maxCompressedLength(Lz4LegacyOutputStream.CHUNK)];
    private final byte[] chunk = new byte[Lz4LegacyOutputStream.CHUNK];
    private int pos, limit;

    public Lz4LegacyInputStream(InputStream in) throws IOException {
        this.in = in;
        int magic = readLe();
        if (magic != Lz4LegacyOutputStream.MAGIC) {
            throw new IOException("not a legacy LZ4 stream (magic " + Integer.toHexString(magic) + ")");
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        while (pos == limit) {
            if (!nextBlock()) {
                return -1;
            }
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(chunk, pos, b, off, n);
        pos += n;
        return n;
    }

    private boolean nextBlock() throws IOException {
        int first = in.read();
        if (first < 0) {
            return false;
        }
        int size = first | readBytes(3) << 8;
        if (size == Lz4LegacyOutputStream.MAGIC) { // a concatenated stream starts again
            return true;
        }
        if (size <= 0 || size > block.length) {
            throw new IOException("an LZ4 block of " + Integer.toUnsignedString(size) + " bytes: more than 8 MiB can make");
        }
        if (in.readNBytes(block, 0, size) != size) {
            throw new EOFException("the LZ4 stream ends inside a block");
        }
        limit = Lz4Block.decompress(block, size, chunk);
        pos = 0;
        return true;
    }

    private int readLe() throws IOException {
        return readBytes(4);
    }

    private int readBytes(int n) throws IOException {
        int v = 0;
        for (int i = 0; i < n; i++) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the LZ4 stream ends inside a header");
            }
            v |= c << (8 * i);
        }
        return v;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
