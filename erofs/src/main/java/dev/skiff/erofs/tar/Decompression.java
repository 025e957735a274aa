package dev.skiff.erofs.tar;

import dev.skiff.erofs.LayerException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Recognises the compression of a layer blob by its magic bytes (gzip {@code 1f 8b}, zstd {@code 28 b5 2f fd})
 * and returns the decompressed tar stream. zstd uses aircompressor's pure-Java decoder.
 */
public final class Decompression {
    private static final int BUFFER = 1 << 16;

    private Decompression() {}

    public static InputStream open(InputStream raw) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, BUFFER);
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xFF) == 0x1F && (magic[1] & 0xFF) == 0x8B) {
            return new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER);
        }
        if (magic.length == 4 && (magic[0] & 0xFF) == 0x28 && (magic[1] & 0xFF) == 0xB5
                && (magic[2] & 0xFF) == 0x2F && (magic[3] & 0xFF) == 0xFD) {
            return zstd(in);
        }
        if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
            throw new LayerException(null, "bzip2-compressed layers are not supported; decompress it first");
        }
        if (magic.length >= 4 && (magic[0] & 0xFF) == 0xFD && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X') {
            throw new LayerException(null, "xz-compressed layers are not supported; decompress it first");
        }
        return in;
    }

    private static InputStream zstd(InputStream in) {
        return new BufferedInputStream(new io.airlift.compress.zstd.ZstdInputStream(in), BUFFER);
    }
}
