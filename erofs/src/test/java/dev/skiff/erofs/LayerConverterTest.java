package dev.skiff.erofs;

import static dev.skiff.erofs.TarBuilder.dir;
import static dev.skiff.erofs.TarBuilder.file;
import static dev.skiff.erofs.TarBuilder.hardlink;
import static dev.skiff.erofs.TarBuilder.symlink;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: tars built in code, converted, then judged by erofs-utils against the source. */
class LayerConverterTest {
    @TempDir
    Path tmp;

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    Path convert(byte[] tar, String name) throws Exception {
        Path out = tmp.resolve(name);
        LayerConverter.convert(new ByteArrayInputStream(tar), out);
        return out;
    }

    @Test
    void everyKindOfEntryMatchesTheTar() throws Exception {
        byte[] cap = HexFormat.of().parseHex("0100000200200000000000000000000000000000");
        String deep = "deep/" + "level-directory/".repeat(30);
        List<TarBuilder.Entry> entries = TarBuilder.list(
                dir("etc/").owner(0, 0),
                file("etc/hostname", "skiff\n").mode(0644).mtime(1_600_000_000L),
                file("etc/empty", new byte[0]),
                file("etc/block", random(4096, 1)),
                file("etc/tail", random(10_000, 2)).mode(0600).owner(1000, 1000),
                file("etc/big", random(300_000, 3)).mode(0755),
                file("etc/suid", "#!/bin/sh\n").mode(04755),
                file("etc/sticky-sgid", "x").mode(02710).owner(70_000, 80_000),
                file("etc/cap", "ping").mode(0755).xattr("security.capability", cap)
                        .xattr("user.comment", "hello".getBytes()).xattr("trusted.t", new byte[] {0, 1, 2, (byte) 255}),
                symlink("etc/abs", "/usr/bin/env"),
                symlink("etc/rel", "../etc/hostname"),
                hardlink("etc/hard", "etc/tail"),
                hardlink("etc/hard2", "etc/tail"),
                new TarBuilder.Entry("etc/null", '3').mode(0666).dev(1, 3),
                new TarBuilder.Entry("etc/sda1", '4').mode(0660).owner(0, 6).dev(259, 70_000),
                new TarBuilder.Entry("etc/fifo", '6').mode(0620),
                hardlink("etc/fifo-link", "etc/fifo"),
                hardlink("etc/abs-link", "etc/abs"),
                hardlink("etc/null-link", "etc/null"),
                dir("etc/sub/").mode(0700).owner(5, 5).xattr("user.dir", "d".getBytes()),
                file("etc/sub/" + "long-name-".repeat(20) + "end", "pax long name"),
                file("etc/sub/" + "gnu-long-".repeat(25), "gnu long name"),
                dir("deep/"));
        entries.stream().filter(e -> e.name.contains("gnu-long")).forEach(e -> e.gnuLongNames = true);
        String path = "deep/";
        for (int i = 0; i < 30; i++) {
            path += "level-directory/";
            entries.add(dir(path));
        }
        entries.add(file(deep + "leaf", "deep leaf"));
        TarBuilder.Entry nanos = file("etc/nanos", "t");
        nanos.paxMtime = "1700000001.123456789";
        nanos.mtime = 1_700_000_001L;
        entries.add(nanos);

        Path image = convert(TarBuilder.of(entries), "all.erofs");
        Map<String, TreeSnapshot.Node> actual = TreeSnapshot.ofImage(image, tmp);
        Map<String, TreeSnapshot.Node> expected = TreeSnapshot.ofEntries(entries);
        assertEquals(expected.keySet(), actual.keySet());
        for (String p : expected.keySet()) {
            assertEquals(expected.get(p), actual.get(p), p);
        }
        ImageInspector.RawInode n = ImageInspector.inode(image, ErofsTools.ls(image, "/etc").get("nanos")[0]);
        assertEquals(123456789, n.mtimeNsec());
    }

    @Test
    void largeDirectoriesSpanBlocksAndStaySorted() throws Exception {
        TarBuilder tar = new TarBuilder();
        tar.add(dir("many/"));
        for (int i = 0; i < 3000; i++) {
            tar.add(file("many/entry-with-a-fairly-long-name-" + (i * 7919 % 3000), "n" + i));
        }
        Path image = convert(tar.build(), "many.erofs");
        ErofsTools.fsck(image);
        Map<String, long[]> ls = ErofsTools.ls(image, "/many");
        assertEquals(3002, ls.size());
        List<String> names = List.copyOf(ls.keySet());
        for (int i = 1; i < names.size(); i++) {
            assertTrue(names.get(i - 1).compareTo(names.get(i)) < 0, "sorted: " + names.get(i - 1));
        }
        Path out = tmp.resolve("x");
        ErofsTools.extract(image, out);
        try (var s = Files.list(out.resolve("many"))) {
            assertEquals(3000, s.count());
        }
    }

    @Test
    void whiteoutsBecomeOverlayfsWhiteoutsAndOpaqueDirectories() throws Exception {
        byte[] tar = TarBuilder.of(TarBuilder.list(
                dir("a/"),
                file("a/.wh.gone", new byte[0]),
                file("a/.wh..wh..opq", new byte[0]),
                file("b/.wh..wh..opq", new byte[0]),
                file(".wh.top", new byte[0]),
                file("a/kept", "k"),
                file("a/.wh..wh.plnk", new byte[0])));
        Path image = convert(tar, "wh.erofs");
        Map<String, TreeSnapshot.Node> t = TreeSnapshot.ofImage(image, tmp);
        assertEquals(List.of("/a", "/a/gone", "/a/kept", "/b", "/top"), List.copyOf(t.keySet()));
        for (String p : List.of("/a/gone", "/top")) {
            assertEquals("char", t.get(p).type(), p);
            assertEquals("0:0", t.get(p).content(), p);
        }
        String y = HexFormat.of().formatHex("y".getBytes());
        assertEquals(Map.of("trusted.overlay.opaque", y), t.get("/a").xattrs());
        assertEquals(Map.of("trusted.overlay.opaque", y), t.get("/b").xattrs());
    }

    @Test
    void laterEntriesReplaceEarlierOnes() throws Exception {
        byte[] tar = TarBuilder.of(TarBuilder.list(
                file("f", "one"),
                file("f", "two"),
                dir("d/"), file("d/child", "c"),
                file("d", "now a file"),
                file("x", "file first"),
                dir("x/"),
                dir("y/").mode(0700), file("y/c", "stays"), dir("y/").mode(0750).owner(3, 4),
                file("orig", "old inode"), hardlink("h", "orig"), file("orig", "new inode")));
        Map<String, TreeSnapshot.Node> t = TreeSnapshot.ofImage(convert(tar, "dup.erofs"), tmp);
        assertEquals(List.of("/d", "/f", "/h", "/orig", "/x", "/y", "/y/c"), List.copyOf(t.keySet()));
        assertEquals(TreeSnapshot.sha256("two".getBytes()), t.get("/f").content());
        assertEquals("file", t.get("/d").type());
        assertEquals("dir", t.get("/x").type());
        assertEquals(0750, t.get("/y").mode());
        assertEquals(3, t.get("/y").uid());
        assertEquals(TreeSnapshot.sha256("old inode".getBytes()), t.get("/h").content());
        assertEquals(TreeSnapshot.sha256("new inode".getBytes()), t.get("/orig").content());
        assertEquals(1, t.get("/h").nlink());
        assertEquals(1, t.get("/orig").nlink());
    }

    @Test
    void sameTarGivesSameBytesAndContentDerivedUuid() throws Exception {
        List<TarBuilder.Entry> entries = TarBuilder.list(dir("a/"), file("a/b", random(9000, 7)),
                file("c", "c").mtime(1), symlink("s", "a/b"));
        byte[] tar = TarBuilder.of(entries);
        Path one = convert(tar, "one.erofs");
        Path two = convert(tar, "two.erofs");
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two));
        entries.add(file("d", "more"));
        Path three = convert(TarBuilder.of(entries), "three.erofs");
        List<String> sb1 = ErofsTools.superblock(one);
        List<String> sb3 = ErofsTools.superblock(three);
        String uuid1 = sb1.stream().filter(l -> l.contains("UUID")).findFirst().orElseThrow();
        String uuid3 = sb3.stream().filter(l -> l.contains("UUID")).findFirst().orElseThrow();
        assertNotEquals(uuid1, uuid3);
        var reader = new dev.skiff.erofs.tar.TarReader(new ByteArrayInputStream(tar));
        while (reader.next() != null) {
            reader.data().readAllBytes();
        }
        String expected = LayerConverter.uuid(reader.digest()).toString();
        assertTrue(uuid1.endsWith(expected), uuid1 + " vs " + expected);
        // the build time is the most common mtime of the tree, not the clock
        assertTrue(sb1.stream().anyMatch(l -> l.contains("created") && l.contains("2023")), String.join("\n", sb1));
    }

    @Test
    void gzipAndZstdLayersGiveTheSameImage() throws Exception {
        byte[] tar = TarBuilder.of(TarBuilder.list(dir("z/"), file("z/data", random(50_000, 9))));
        Path plain = convert(tar, "plain.erofs");
        Path gz = convert(TarBuilder.gzip(tar), "gz.erofs");
        ByteArrayOutputStream zs = new ByteArrayOutputStream();
        byte[] buf = new byte[new io.airlift.compress.zstd.ZstdCompressor().maxCompressedLength(tar.length)];
        int n = new io.airlift.compress.zstd.ZstdCompressor().compress(tar, 0, tar.length, buf, 0, buf.length);
        zs.write(buf, 0, n);
        Path zst = convert(zs.toByteArray(), "zst.erofs");
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(gz));
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(zst));
        ErofsTools.fsck(plain);
    }

    @Test
    void sparseFilesKeepTheirHoles() throws Exception {
        long mib = 1 << 20;
        byte[] tar = new TarBuilder()
                .sparse("holes", 3 * mib + 100, new long[][] {{0, 5000}, {mib + 17, 8192}, {3 * mib, 100}}, (byte) 7)
                .sparse("empty-end", 64 * 1024, new long[][] {{0, 10}, {64 * 1024, 0}}, (byte) 1)
                .build();
        Path image = convert(tar, "sparse.erofs");
        Map<String, TreeSnapshot.Node> t = TreeSnapshot.ofImage(image, tmp);
        byte[] expected = new byte[(int) (3 * mib + 100)];
        java.util.Arrays.fill(expected, 0, 5000, (byte) 7);
        java.util.Arrays.fill(expected, (int) mib + 17, (int) mib + 17 + 8192, (byte) 7);
        java.util.Arrays.fill(expected, (int) (3 * mib), (int) (3 * mib + 100), (byte) 7);
        assertEquals(TreeSnapshot.sha256(expected), t.get("/holes").content());
        byte[] e2 = new byte[64 * 1024];
        java.util.Arrays.fill(e2, 0, 10, (byte) 1);
        assertEquals(TreeSnapshot.sha256(e2), t.get("/empty-end").content());
        assertTrue(Files.size(image) < 64 * 1024, "holes take no space: " + Files.size(image));
        assertEquals(4, ImageInspector.inode(image, ErofsTools.ls(image, "/").get("holes")[0]).layout());
    }

    @Test
    void filesOver4GiBUseExtendedInodes() throws Exception {
        long size = (5L << 30) + 123;
        byte[] tar = new TarBuilder()
                .sparse("huge", size, new long[][] {{0, 4096}, {(9L << 29), 10_000}, {size - 123, 123}}, (byte) 3)
                .build();
        Path image = convert(tar, "huge.erofs");
        ErofsTools.fsck(image);
        long nid = ErofsTools.ls(image, "/").get("huge")[0];
        ImageInspector.RawInode raw = ImageInspector.inode(image, nid);
        assertTrue(raw.extended());
        assertEquals(size, raw.size());
        assertEquals(Long.toString(size), ErofsTools.dump(image, "/huge").get("Size"));
        // one 4-byte block map entry per 4 KiB chunk: about 5 MiB of map for 5 GiB of holes
        assertTrue(Files.size(image) < (8 << 20), "image stays small: " + Files.size(image));
    }

    @Test
    void summaryCountsEntriesAndBytes() throws Exception {
        byte[] tar = TarBuilder.of(TarBuilder.list(dir("a/"), file("a/b", "b"), file("a/c", "cc")));
        byte[] gz = TarBuilder.gzip(tar);
        Summary s = LayerConverter.convert(new ByteArrayInputStream(gz), tmp.resolve("s.erofs"));
        assertEquals(3, s.entries());
        assertEquals(3, s.fileBytes(), "the regular files' bytes, as Docker sizes a layer");
        assertEquals(4, s.inodes());
        assertEquals(gz.length, s.bytesIn());
        assertEquals(tar.length, s.tarBytes());
        assertEquals(Files.size(tmp.resolve("s.erofs")), s.bytesOut());
        assertFalse(s.elapsed().isNegative());
        assertEquals(0, s.bytesOut() % 4096);
    }

    @Test
    void namesAreKeptAsRawBytes() throws Exception {
        String utf = "caf\u00e9-\u65e5\u672c";
        byte[] tar = TarBuilder.of(TarBuilder.list(file(utf, "u")));
        Map<String, TreeSnapshot.Node> t = TreeSnapshot.ofImage(convert(tar, "utf.erofs"), tmp);
        assertEquals(List.of("/" + utf), List.copyOf(t.keySet()));
        assertEquals(TreeSnapshot.sha256("u".getBytes(StandardCharsets.UTF_8)), t.get("/" + utf).content());
    }
}
