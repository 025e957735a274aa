package dev.skiff.image.initrd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.airlift.compress.lz4.Lz4Decompressor;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The legacy LZ4 frame as the kernel reads it: magic, then size-prefixed blocks of at most 8 MiB each. */
class Lz4LegacyOutputStreamTest {
    @Test
    void blocksOfAtMostEightMebibytesDecompressBackToTheInput() throws Exception {
        // 20 MiB: two whole chunks and a part, half compressible text, half random bytes
        byte[] input = new byte[20 << 20];
        Random r = new Random(7);
        for (int i = 0; i < input.length; i++) {
            input[i] = (i / 4096) % 2 == 0 ? (byte) ('a' + i % 13) : (byte) r.nextInt();
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (Lz4LegacyOutputStream lz = new Lz4LegacyOutputStream(file)) {
            lz.write(input, 0, 5);          // small writes and large ones, across chunk boundaries
            lz.write(input[5]);
            lz.write(input, 6, input.length - 6);
        }
        ByteBuffer in = ByteBuffer.wrap(file.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(Lz4LegacyOutputStream.MAGIC, in.getInt());
        ByteArrayOutputStream back = new ByteArrayOutputStream();
        int blocks = 0;
        while (in.hasRemaining()) {
            int size = in.getInt();
            byte[] block = new byte[size];
            in.get(block);
            byte[] out = new byte[Lz4LegacyOutputStream.CHUNK];
            int n = new Lz4Decompressor().decompress(block, 0, size, out, 0, out.length);
            assertTrue(n <= Lz4LegacyOutputStream.CHUNK);
            back.write(out, 0, n);
            blocks++;
        }
        assertEquals(3, blocks);
        assertArrayEquals(input, back.toByteArray());
        try (Lz4LegacyInputStream read = new Lz4LegacyInputStream(new java.io.ByteArrayInputStream(file.toByteArray()))) {
            assertArrayEquals(input, read.readAllBytes(), "the reader agrees");
        }
        assertTrue(file.size() < input.length * 3 / 4, "the text half compresses: " + file.size());
    }

    @Test
    void aTruncatedOrForeignStreamIsRefused() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (Lz4LegacyOutputStream lz = new Lz4LegacyOutputStream(file)) {
            lz.write(new byte[100_000]);
        }
        byte[] cut = java.util.Arrays.copyOf(file.toByteArray(), file.size() - 10);
        org.junit.jupiter.api.Assertions.assertThrows(java.io.EOFException.class,
                () -> new Lz4LegacyInputStream(new java.io.ByteArrayInputStream(cut)).readAllBytes());
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> new Lz4LegacyInputStream(new java.io.ByteArrayInputStream(new byte[] {0x1f, (byte) 0x8b, 8, 0})));
    }

    @Test
    void corruptBlocksAreRefusedNotFollowed() {
        byte[] out = new byte[64];
        // a match reaching back before the start of the output
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> Lz4Block.decompress(new byte[] {0x10, 'a', 0x05, 0x00}, 4, out));
        // literals longer than the block holds
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> Lz4Block.decompress(new byte[] {(byte) 0xf0, (byte) 255, 1}, 3, out));
        // a match longer than the output has room for
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> Lz4Block.decompress(new byte[] {0x1f, 'a', 0x01, 0x00, (byte) 200}, 5, out));
        // an overlapping match is a run: "a" then 8 more copies of it
        assertDoesNotThrow(() -> assertEquals(9, Lz4Block.decompress(new byte[] {0x14, 'a', 0x01, 0x00, 0x00}, 5, out)));
    }

    @Test
    void anEmptyStreamIsTheMagicAlone() throws Exception {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        new Lz4LegacyOutputStream(file).close();
        assertArrayEquals(new byte[] {0x02, 0x21, 0x4C, 0x18}, file.toByteArray());
    }
}
