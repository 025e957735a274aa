package dev.skiff.image.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of a 64-bit little-endian ELF file (the only kind a x86-64 or arm64 guest
 * runs), from its section headers: DT_NEEDED entries of shared objects and executables, the
 * program interpreter, and the {@code .modinfo} strings of kernel modules. See elf(5).
 */
public final class ElfFile {
    private static final int SHT_DYNAMIC = 6;
    private static final long DT_NEEDED = 1;

    private record Section(String name, int type, long offset, long size, int link) {}

    private final String origin;
    private final ByteBuffer buf;
    private final List<Section> sections;

    private ElfFile(String origin, ByteBuffer buf) throws IOException {
        this.origin = origin;
        this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
        if (buf.limit() < 64 || buf.getInt(0) != 0x464c457f) {
            throw new IOException(origin + " is not an ELF file");
        }
        if (buf.get(4) != 2 || buf.get(5) != 1) {
            throw new IOException(origin + " is not a 64-bit little-endian ELF file");
        }
        this.sections = readSections();
    }

    public static ElfFile read(Path file) throws IOException {
        return new ElfFile(file.toString(), ByteBuffer.wrap(Files.readAllBytes(file)));
    }

    public static ElfFile of(String origin, byte[] bytes) throws IOException {
        return new ElfFile(origin, ByteBuffer.wrap(bytes));
    }

    /** True for ELF files at all, without throwing: used to pick libraries out of a tree. */
    public static boolean isElf(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) < 64) {
            return false;
        }
        try (var in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        }
    }

    private List<Section> readSections() throws IOException {
        long shoff = buf.getLong(0x28);
        int shentsize = Short.toUnsignedInt(buf.getShort(0x3A));
        int shnum = Short.toUnsignedInt(buf.getShort(0x3C));
        int shstrndx = Short.toUnsignedInt(buf.getShort(0x3E));
        if (shoff == 0 || shnum == 0) {
            return List.of();
        }
        if (shentsize < 64 || shoff + (long) shnum * shentsize > buf.limit() || shstrndx >= shnum) {
            throw new IOException(origin + " has a malformed section header table");
        }
        long[][] raw = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            int at = Math.toIntExact(shoff + (long) i * shentsize);
            raw[i] = new long[] {Integer.toUnsignedLong(buf.getInt(at)), buf.getInt(at + 4),
                    buf.getLong(at + 0x18), buf.getLong(at + 0x20), buf.getInt(at + 0x28)};
        }
        long strOff = raw[shstrndx][2];
        List<Section> result = new ArrayList<>(shnum);
        for (long[] s : raw) {
            result.add(new Section(cString(strOff + s[0]), (int) s[1], s[2], s[3], (int) s[4]));
        }
        return result;
    }

    private String cString(long offset) throws IOException {
        if (offset < 0 || offset >= buf.limit()) {
            throw new IOException(origin + " has a string offset out of range");
        }
        int start = (int) offset;
        int end = start;
        while (end < buf.limit() && buf.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end - start];
        buf.get(start, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private Optional<Section> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The sonames this object needs (DT_NEEDED), in order. Empty for static executables. */
    public List<String> needed() throws IOException {
        List<String> result = new ArrayList<>();
        for (Section dyn : sections) {
            if (dyn.type() != SHT_DYNAMIC) {
                continue;
            }
            long strtab = sections.get(dyn.link()).offset();
            for (long at = dyn.offset(); at + 16 <= dyn.offset() + dyn.size(); at += 16) {
                long tag = buf.getLong((int) at);
                if (tag == 0) {
                    break;
                }
                if (tag == DT_NEEDED) {
                    result.add(cString(strtab + buf.getLong((int) at + 8)));
                }
            }
        }
        return result;
    }

    /** The program interpreter (PT_INTERP, via its {@code .interp} section), if dynamic. */
    public Optional<String> interpreter() throws IOException {
        Optional<Section> interp = section(".interp");
        return interp.isEmpty() ? Optional.empty() : Optional.of(cString(interp.get().offset()));
    }

    /** The key=value strings of a kernel module's {@code .modinfo} section. */
    public List<String> modinfo() throws IOException {
        Section s = section(".modinfo").orElseThrow(() -> new IOException(origin + " has no .modinfo section"));
        List<String> result = new ArrayList<>();
        long at = s.offset();
        long end = s.offset() + s.size();
        while (at < end) {
            String entry = cString(at);
            at += entry.getBytes(StandardCharsets.UTF_8).length + 1;
            if (!entry.isEmpty()) {
                result.add(entry);
            }
        }
        return result;
    }
}
