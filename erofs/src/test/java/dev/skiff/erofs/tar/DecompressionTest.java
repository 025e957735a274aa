package dev.skiff.erofs.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class DecompressionTest {
    private static final byte[] DATA = "plain tar bytes, or something like them".repeat(50).getBytes();

    static byte[] open(byte[] b) throws IOException {
        return Decompression.open(new ByteArrayInputStream(b)).readAllBytes();
    }

    @Test
    void plainGzipAndZstd() throws IOException {
        assertArrayEquals(DATA, open(DATA));
        assertArrayEquals(DATA, open(TarBuilder.gzip(DATA)));
        var z = new io.airlift.compress.zstd.ZstdCompressor();
        byte[] buf = new byte[z.maxCompressedLength(DATA.length)];
        int n = z.compress(DATA, 0, DATA.length, buf, 0, buf.length);
        assertArrayEquals(DATA, open(java.util.Arrays.copyOf(buf, n)));
        assertArrayEquals(new byte[0], open(new byte[0]));
    }

    @Test
    void otherCompressionsAreNamed() {
        assertThrows(LayerException.class, () -> open("BZh91AY&SY".getBytes()));
        assertThrows(LayerException.class, () -> open(new byte[] {(byte) 0xFD, '7', 'z', 'X', 'Z', 0}));
    }
}
