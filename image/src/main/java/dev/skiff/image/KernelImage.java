package dev.skiff.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.tukaani.xz.SingleXZInputStream;

/**
 * The guest kernel as QEMU boots it fastest: the uncompressed ELF inside Debian's bzImage, entered
 * through PVH ({@code -kernel vmlinux}; QEMU reads the entry point from the ELF's Xen note).
 *
 * <p>Why: Debian compresses the kernel with XZ, and under TCG the bzImage's own decompressor, which
 * runs before the kernel's clock starts, takes about 4 s of a 7 s boot to the first process here
 * (2.96 s to power-off through PVH against 6.82 s through the bzImage, same kernel and initrd).
 * Decompressing once, at image build, makes every boot that much shorter. A bzImage without an XZ
 * payload, or whose kernel has no PVH entry (CONFIG_PVH), is used as it is.
 */
public final class KernelImage {
    private KernelImage() {}

    /** The XZ stream header magic (xz file format, section 2.1.1.1). */
    private static final byte[] XZ_MAGIC = {(byte) 0xFD, '7', 'z', 'X', 'Z', 0};
    /** XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit PVH entry point QEMU's ELF loader looks for. */
    private static final int PHYS32_ENTRY = 18;
    private static final int PT_NOTE = 4;
    /** Larger than any kernel we boot (Debian's is about 66 MB): a corrupt stream must not fill the disk. */
    private static final long LARGEST = 512L << 20;

    /**
     * Writes the ELF kernel inside {@code bzImage} to {@code out} and returns true, or returns false
     * (writing nothing) when the bzImage holds no XZ-compressed ELF with a PVH entry.
     */
    public static boolean extractPvh(Path bzImage, Path out) throws IOException {
        byte[] image = Files.readAllBytes(bzImage);
        Optional<byte[]> elf = uncompressedElf(image);
        if (elf.isEmpty() || !hasPvhEntry(elf.get())) {
            return false;
        }
        trimLoadedZeros(elf.get());
        writeSparse(elf.get(), out);
        return true;
    }

    private static final int PT_LOAD = 1;

    /**
     * Ends each loaded segment's file part at its last non-zero byte, leaving the rest to its memory
     * size, which the loader zero-fills ({@code p_memsz > p_filesz}, as for any .bss). Debian's kernel
     * stores its .bss, .brk and .init.scratch as 22 MiB of zeros in the file; QEMU keeps the kernel
     * file mapped after loading it, so every page it read would stay in its RSS.
     */
    static void trimLoadedZeros(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        int phentsize = Short.toUnsignedInt(b.getShort(0x36));
        int phnum = Short.toUnsignedInt(b.getShort(0x38));
        for (int i = 0; i < phnum; i++) {
            int ph = Math.toIntExact(phoff + (long) i * phentsize);
            if (b.getInt(ph) != PT_LOAD) {
                continue;
            }
            long offset = b.getLong(ph + 8), fileSize = b.getLong(ph + 32);
            long end = Math.min(offset + fileSize, elf.length);
            while (end > offset && elf[(int) (end - 1)] == 0) {
                end--;
            }
            b.putLong(ph + 32, end - offset); // p_filesz; p_memsz (ph + 40) stays
        }
    }

    /**
     * Writes {@code data} leaving holes for its all-zero 4 KiB blocks: half of the unpacked kernel is
     * zeros (its .bss and the padding between 2 MiB-aligned segments), which then take no disk.
     */
    private static void writeSparse(byte[] data, Path out) throws IOException {
        final int block = 4096;
        try (var ch = java.nio.channels.FileChannel.open(out, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING, java.nio.file.StandardOpenOption.WRITE)) {
            for (int at = 0; at < data.length; at += block) {
                int len = Math.min(block, data.length - at);
                if (!allZero(data, at, len)) {
                    ch.write(ByteBuffer.wrap(data, at, len), at);
                }
            }
            if (ch.size() < data.length) {
                ch.write(ByteBuffer.wrap(new byte[1]), data.length - 1); // the file's full length, its tail a hole
            }
        }
    }

    private static boolean allZero(byte[] data, int at, int len) {
        for (int i = at; i < at + len; i++) {
            if (data[i] != 0) {
                return false;
            }
        }
        return true;
    }

    static Optional<byte[]> uncompressedElf(byte[] bzImage) throws IOException {
        int at = payloadOffset(bzImage);
        if (at < 0 || !startsWith(bzImage, at, XZ_MAGIC)) {
            return Optional.empty();
        }
        var buf = new java.io.ByteArrayOutputStream(96 << 20);
        // SingleXZInputStream stops at the end of the first stream: the bzImage's trailer follows it
        try (InputStream in = new SingleXZInputStream(new ByteArrayInputStream(bzImage, at, bzImage.length - at))) {
            copyBounded(in, buf);
        }
        byte[] elf = buf.toByteArray();
        boolean isElf64 = elf.length > 64 && elf[0] == 0x7F && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F'
                && elf[4] == 2;
        return isElf64 ? Optional.of(elf) : Optional.empty();
    }

    /** Whether the 64-bit little-endian ELF has a PT_NOTE segment with a "Xen" PHYS32_ENTRY note. */
    static boolean hasPvhEntry(byte[] elf) {
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        try {
            long phoff = b.getLong(0x20);
            int phentsize = Short.toUnsignedInt(b.getShort(0x36));
            int phnum = Short.toUnsignedInt(b.getShort(0x38));
            for (int i = 0; i < phnum; i++) {
                int ph = Math.toIntExact(phoff + (long) i * phentsize);
                if (b.getInt(ph) != PT_NOTE) {
                    continue;
                }
                int offset = Math.toIntExact(b.getLong(ph + 8));
                int end = Math.addExact(offset, Math.toIntExact(b.getLong(ph + 32)));
                for (int n = offset; n + 12 <= end; ) {
                    int namesz = b.getInt(n), descsz = b.getInt(n + 4), type = b.getInt(n + 8);
                    if (namesz < 0 || descsz < 0 || namesz > end - n || descsz > end - n) {
                        return false;
                    }
                    String name = new String(elf, n + 12, Math.max(0, namesz - 1), java.nio.charset.StandardCharsets.US_ASCII);
                    if (name.equals("Xen") && type == PHYS32_ENTRY) {
                        return true;
                    }
                    n += 12 + align4(namesz) + align4(descsz);
                }
            }
        } catch (IndexOutOfBoundsException | ArithmeticException malformed) {
            return false;
        }
        return false;
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }

    private static void copyBounded(InputStream in, OutputStream out) throws IOException {
        byte[] chunk = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(chunk)) > 0; ) {
            total += n;
            if (total > LARGEST) {
                throw new IOException("the kernel's XZ payload unpacks to more than " + (LARGEST >> 20) + " MiB");
            }
            out.write(chunk, 0, n);
        }
    }

    /**
     * Where the compressed kernel starts in a bzImage, from its setup header (the kernel's
     * Documentation/arch/x86/boot.rst: "HdrS" at 0x202, setup_sects at 0x1F1, payload_offset at
     * 0x248 from boot protocol 2.08, counted from the protected-mode code after the setup
     * sectors), or -1 when the file is not such a bzImage.
     */
    static int payloadOffset(byte[] image) {
        if (image.length < 0x250 || !startsWith(image, 0x202, new byte[] {'H', 'd', 'r', 'S'})) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        if (Short.toUnsignedInt(b.getShort(0x206)) < 0x208) {
            return -1; // older than boot protocol 2.08: no payload_offset
        }
        int setupSects = Byte.toUnsignedInt(image[0x1F1]);
        long at = (long) ((setupSects == 0 ? 4 : setupSects) + 1) * 512 + Integer.toUnsignedLong(b.getInt(0x248));
        return at < image.length ? (int) at : -1;
    }

    private static boolean startsWith(byte[] data, int at, byte[] prefix) {
        if (at < 0 || at + prefix.length > data.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
