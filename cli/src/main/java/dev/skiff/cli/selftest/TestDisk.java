package dev.skiff.cli.selftest;

import dev.skiff.erofs.LayerConverter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A small read-only disk holding one known file, for the hot-plug check: an EROFS image (the
 * guest's layer file system) written by Skiff's own layer writer, so no host tool is needed.
 */
public final class TestDisk {
    private TestDisk() {}

    public static final String FILE = "hello.txt";

    /** Writes {@code content} as {@value #FILE} into a fresh EROFS image at {@code image}. */
    public static void create(Path image, String content) throws IOException {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(tar)) {
            TarArchiveEntry e = new TarArchiveEntry(FILE);
            e.setSize(data.length);
            e.setMode(0644);
            out.putArchiveEntry(e);
            out.write(data);
            out.closeArchiveEntry();
        }
        LayerConverter.convert(new ByteArrayInputStream(tar.toByteArray()), image);
    }
}
