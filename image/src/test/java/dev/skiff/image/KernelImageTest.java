package dev.skiff.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * The PVH kernel taken out of a bzImage, on synthetic images built the way the kernel's build lays
 * them out (setup header, XZ payload, trailer): GuestImageIT checks it on Debian's real kernel.
 */
class KernelImageTest {
    @TempDir
    Path dir;

    /** A minimal ELF64 with one PT_NOTE segment holding a "Xen" note of {@code noteType}. */
    private static byte[] elf(int noteType) {
        ByteBuffer b = ByteBuffer.allocate(0x100).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1});
        b.putLong(0x20, 0x40); // e_phoff
        b.putShort(0x36, (short) 56); // e_phentsize
        b.putShort(0x38, (short) 1); // e_phnum
        b.putInt(0x40, 4); // p_type PT_NOTE
        b.putLong(0x48, 0x80); // p_offset
        b.putLong(0x60, 20); // p_filesz: 12 + "Xen\0" + 4 bytes of desc
        b.putInt(0x80, 4).putInt(0x84, 4).putInt(0x88, noteType);
        b.put(0x8C, (byte) 'X').put(0x8D, (byte) 'e').put(0x8E, (byte) 'n');
        return b.array();
    }

    /** A bzImage: boot protocol 2.15 header, 1 setup sector, the XZ payload, then a trailer. */
    private static byte[] bzImage(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(1024 + 16 + payload.length + 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0x1F1, (byte) 1);
        b.put(0x202, (byte) 'H').put(0x203, (byte) 'd').put(0x204, (byte) 'r').put(0x205, (byte) 'S');
        b.putShort(0x206, (short) 0x20F);
        b.putInt(0x248, 16); // payload_offset from the protected-mode code at 2 * 512
        b.put(1024 + 16, payload);
        Arrays.fill(b.array(), 1024 + 16 + payload.length, b.capacity(), (byte) 0xAA); // not part of the stream
        return b.array();
    }

    private static byte[] xz(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (XZOutputStream x = new XZOutputStream(out, new LZMA2Options())) {
            x.write(data);
        }
        return out.toByteArray();
    }

    private boolean extract(byte[] image, Path out) throws IOException {
        Path in = Files.write(dir.resolve("vmlinuz"), image);
        return KernelImage.extractPvh(in, out);
    }

    @Test
    void theElfWithAPvhEntryIsTakenOutOfTheXzPayload() throws IOException {
        byte[] kernel = elf(18);
        Path out = dir.resolve("vmlinux");
        assertTrue(extract(bzImage(xz(kernel)), out));
        assertArrayEquals(kernel, Files.readAllBytes(out), "a kernel without loaded segments is written as it is");
    }

    @Test
    void aLoadedSegmentsTrailingZerosAreLeftToItsMemorySize() {
        ByteBuffer b = ByteBuffer.allocate(0x2000).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1});
        b.putLong(0x20, 0x40).putShort(0x36, (short) 56).putShort(0x38, (short) 1);
        b.putInt(0x40, 1); // PT_LOAD
        b.putLong(0x48, 0x1000); // p_offset
        b.putLong(0x60, 0x1000); // p_filesz: 0x10 bytes of code, then zeros (.bss stored as zeros)
        b.putLong(0x68, 0x3000); // p_memsz
        b.put(0x1000, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        byte[] elf = b.array();
        KernelImage.trimLoadedZeros(elf);
        ByteBuffer after = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x10, after.getLong(0x60), "the file part ends at the last non-zero byte");
        assertEquals(0x3000, after.getLong(0x68), "the memory size stays: the loader zero-fills the rest");
    }

    @Test
    void withoutAPvhEntryOrAnXzPayloadTheBzImageStays() throws IOException {
        Path out = dir.resolve("vmlinux");
        assertFalse(extract(bzImage(xz(elf(17))), out), "a Xen note, but not the PHYS32 entry");
        assertFalse(extract(bzImage("\u001f\u008bnot xz".getBytes(StandardCharsets.ISO_8859_1)), out), "a gzip payload");
        assertFalse(extract(bzImage(xz("no elf here".getBytes(StandardCharsets.US_ASCII))), out));
        assertFalse(extract(new byte[4096], out), "no setup header");
        assertFalse(Files.exists(out), "nothing written when the bzImage stays");
    }

    @Test
    void aCorruptPayloadIsAnError() throws IOException {
        byte[] payload = xz(elf(18));
        byte[] cut = Arrays.copyOf(payload, payload.length / 2);
        assertThrows(IOException.class, () -> extract(bzImage(cut), dir.resolve("vmlinux")));
    }

    @Test
    void malformedNotesAreNotAnEntry() {
        byte[] e = elf(18);
        ByteBuffer.wrap(e).order(ByteOrder.LITTLE_ENDIAN).putInt(0x80, Integer.MAX_VALUE);
        assertFalse(KernelImage.hasPvhEntry(e));
        byte[] f = elf(18);
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0x20, 1L << 40);
        assertFalse(KernelImage.hasPvhEntry(f));
    }
}
