package dev.skiff.erofs;

import static dev.skiff.erofs.TarBuilder.dir;
import static dev.skiff.erofs.TarBuilder.file;
import static dev.skiff.erofs.TarBuilder.hardlink;
import static dev.skiff.erofs.TarBuilder.symlink;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and broken layers are refused with an error that names the entry; the writer leaves nothing behind,
 * not even the output file, and never writes anywhere else.
 */
class HostileTarTest {
    @TempDir
    Path tmp;

    /** Converts in an empty directory and checks that the failure names {@code entry} and leaves it empty. */
    private LayerException refused(byte[] tar, String entry, String why) throws Exception {
        Path work = Files.createDirectory(tmp.resolve("work-" + System.nanoTime()));
        Path out = work.resolve("out.erofs");
        LayerException e = assertThrows(LayerException.class,
                () -> LayerConverter.convert(new ByteArrayInputStream(tar), out));
        if (entry != null) {
            assertEquals(entry, e.entry(), e.getMessage());
            assertTrue(e.getMessage().contains("'" + entry + "'"), e.getMessage());
        }
        assertTrue(e.getMessage().contains(why), e.getMessage());
        try (Stream<Path> left = Files.list(work)) {
            assertEquals(List.of(), left.toList(), "nothing may be left behind");
        }
        try (Stream<Path> all = Files.walk(tmp)) {
            assertEquals(0, all.filter(p -> p.getFileName().toString().contains("evil")).count());
        }
        return e;
    }

    @Test
    void dotDotNames() throws Exception {
        refused(TarBuilder.of(TarBuilder.list(file("../evil", "x"))), "../evil", "'..'");
        refused(TarBuilder.of(TarBuilder.list(dir("a/"), file("a/../../evil", "x"))), "a/../../evil", "'..'");
    }

    @Test
    void absoluteNames() throws Exception {
        refused(TarBuilder.of(TarBuilder.list(file("/tmp/evil", "x"))), "/tmp/evil", "absolute name");
    }

    @Test
    void hardLinksOutOfTheTreeOrToNothing() throws Exception {
        refused(TarBuilder.of(TarBuilder.list(hardlink("evil", "../../etc/passwd"))), "evil", "'..'");
        refused(TarBuilder.of(TarBuilder.list(hardlink("evil", "/etc/shadow"))), "evil", "absolute hard link target");
        refused(TarBuilder.of(TarBuilder.list(hardlink("evil", "missing"))), "evil", "is not in the layer");
        refused(TarBuilder.of(TarBuilder.list(dir("d/"), hardlink("evil", "d"))), "evil", "directory");
    }

    @Test
    void writingThroughASymlinkIsRefused() throws Exception {
        refused(TarBuilder.of(TarBuilder.list(symlink("etc", "/etc"), file("etc/evil", "x"))), "etc/evil",
                "is a symlink, not a directory");
    }

    @Test
    void hugeDeclaredSizes() throws Exception {
        TarBuilder.Entry e = file("evil-huge", "only a little data");
        e.claimedSize = 1L << 40; // 1 TiB claimed, 18 bytes present
        refused(new TarBuilder().add(e).buildUnterminated(), "evil-huge", "truncated");
        TarBuilder.Entry f = file("evil-beyond", "x");
        f.claimedSize = 1L << 50;
        refused(new TarBuilder().add(f).buildUnterminated(), "evil-beyond", "exceeds the EROFS limit");
    }

    @Test
    void truncatedEntriesAndHeaders() throws Exception {
        byte[] whole = TarBuilder.of(TarBuilder.list(file("evil-cut", new byte[5000])));
        refused(Arrays.copyOf(whole, 512 + 3000), "evil-cut", "truncated");
        byte[] two = TarBuilder.of(TarBuilder.list(file("ok", "x"), file("evil-next", "y")));
        refused(Arrays.copyOf(two, 1024 + 300), null, "truncated inside a header");
        TarBuilder.Entry longName = file("evil-" + "n".repeat(200), "x");
        byte[] pax = TarBuilder.of(TarBuilder.list(longName));
        refused(Arrays.copyOf(pax, 512 + 100), null, "truncated");
    }

    @Test
    void archivesCutAtAnEntryBoundary() throws Exception {
        byte[] tar = TarBuilder.of(TarBuilder.list(file("evil-first", "x"), file("second", "y")));
        refused(Arrays.copyOf(tar, 1024), "evil-first", "end-of-archive");
        byte[] gz = TarBuilder.gzip(tar);
        refused(Arrays.copyOf(gz, gz.length - 30), null, "truncated");
    }

    @Test
    void corruptHeaders() throws Exception {
        byte[] tar = TarBuilder.of(TarBuilder.list(file("evil-sum", "x")));
        tar[0] ^= 1;
        refused(tar, null, "checksum");
        refused(new byte[] {1, 2, 3}, null, "truncated inside a header");
    }

    @Test
    void hostileSparseMaps() throws Exception {
        byte[] tar = new TarBuilder().sparse("evil-sparse", 100, new long[][] {{50, 80}}, (byte) 1).build();
        refused(tar, "evil-sparse", "outside the file size");
        byte[] order = new TarBuilder().sparse("evil-order", 100_000, new long[][] {{50_000, 10}, {0, 10}}, (byte) 1)
                .build();
        refused(order, "evil-order", "out of order");
    }

    @Test
    void badNames() throws Exception {
        String nul = "evil-" + "p".repeat(100) + "\0name"; // in a PAX path record, where NUL does not terminate
        refused(TarBuilder.of(TarBuilder.list(file(nul, "x"))), nul, "NUL byte");
        refused(TarBuilder.of(TarBuilder.list(file("evil/" + "c".repeat(256), "x"))), "evil/" + "c".repeat(256),
                "the limit is 255");
        refused(TarBuilder.of(TarBuilder.list(file("a", "file"), file("a/evil", "x"))), "a/evil",
                "not a directory");
        refused(TarBuilder.of(TarBuilder.list(file(".wh.", ""))), ".wh.", "whiteout names no file");
        refused(TarBuilder.of(TarBuilder.list(symlink("./", "x"))), "./", "layer root");
    }

    @Test
    void oversizedXattrsAndSymlinks() throws Exception {
        TarBuilder.Entry x = file("evil-xattr", "x").xattr("user.big", new byte[70_000]);
        refused(TarBuilder.of(TarBuilder.list(x)), "evil-xattr", "xattr value of 70000 bytes");
        refused(TarBuilder.of(TarBuilder.list(symlink("evil-link", "t".repeat(5000)))), "evil-link",
                "symlink target of 5000 bytes");
    }

    @Test
    void idsAndDevicesBeyondTheFormat() throws Exception {
        refused(TarBuilder.of(TarBuilder.list(file("evil-uid", "x").owner(1L << 33, 0))), "evil-uid",
                "32-bit owner");
        refused(TarBuilder.of(TarBuilder.list(new TarBuilder.Entry("evil-dev", '3').dev(5000, 1))), "evil-dev",
                "12-bit major");
    }

    @Test
    void unsupportedEntryTypes() throws Exception {
        refused(TarBuilder.of(TarBuilder.list(new TarBuilder.Entry("evil-type", 'Z'))), "evil-type",
                "unsupported tar entry type");
    }

    @Test
    void nothingLeftBehindAlsoForOutputThatExisted() throws Exception {
        Path out = tmp.resolve("existing.erofs");
        Files.write(out, new byte[] {1});
        assertThrows(LayerException.class, () -> LayerConverter.convert(
                new ByteArrayInputStream(TarBuilder.of(TarBuilder.list(file("../x", "x")))), out));
        assertTrue(Files.notExists(out));
    }
}
