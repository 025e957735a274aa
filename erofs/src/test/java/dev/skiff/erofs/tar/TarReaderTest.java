package dev.skiff.erofs.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.Names;
import dev.skiff.erofs.TarBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TarReaderTest {
    static List<TarEntry> read(byte[] tar) throws IOException {
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        List<TarEntry> out = new ArrayList<>();
        for (TarEntry e; (e = r.next()) != null; ) {
            out.add(e);
        }
        return out;
    }

    @Test
    void ustarFieldsAndTypes() throws IOException {
        byte[] tar = TarBuilder.of(TarBuilder.list(
                TarBuilder.file("a/b", "data").mode(04755).owner(12, 34).mtime(99),
                TarBuilder.dir("a/"),
                TarBuilder.symlink("l", "/x"),
                TarBuilder.hardlink("h", "a/b"),
                new TarBuilder.Entry("c", '3').dev(4, 5),
                new TarBuilder.Entry("k", '4').dev(8, 1),
                new TarBuilder.Entry("p", '6'),
                new TarBuilder.Entry("v7dir/", '0')));
        List<TarEntry> es = read(tar);
        assertEquals(List.of(EntryType.REGULAR, EntryType.DIRECTORY, EntryType.SYMLINK, EntryType.HARD_LINK,
                EntryType.CHAR_DEVICE, EntryType.BLOCK_DEVICE, EntryType.FIFO, EntryType.DIRECTORY),
                es.stream().map(TarEntry::type).toList());
        TarEntry f = es.getFirst();
        assertEquals("a/b", f.name());
        assertEquals(04755, f.mode());
        assertEquals(12, f.uid());
        assertEquals(34, f.gid());
        assertEquals(99, f.mtime());
        assertEquals(4, f.size());
        assertEquals("/x", es.get(2).linkName());
        assertEquals(4, es.get(4).devMajor());
        assertEquals(5, es.get(4).devMinor());
    }

    @Test
    void dataIsReadAndSkipped() throws Exception {
        byte[] tar = TarBuilder.of(TarBuilder.list(TarBuilder.file("one", "first"), TarBuilder.file("two", "second")));
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        r.next();
        TarEntry two = r.next(); // data of "one" skipped
        assertEquals("two", two.name());
        assertArrayEquals("second".getBytes(), r.data().readAllBytes());
        assertNull(r.next());
        assertEquals(tar.length, r.offset());
        byte[] again = digest(tar);
        assertArrayEquals(again, r.digest());
        byte[] changed = tar.clone();
        changed[512 + 2] ^= 1; // one bit of data of "one"
        assertEquals(false, java.util.Arrays.equals(again, digest(changed)));
        byte[] header = tar.clone();
        header[0] = 'O';
        byte[] h = java.util.Arrays.copyOf(header, 512);
        TarBuilder.checksum(h);
        System.arraycopy(h, 0, header, 0, 512);
        assertEquals(false, java.util.Arrays.equals(again, digest(header)));
    }

    static byte[] digest(byte[] tar) throws IOException {
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        while (r.next() != null) {
            r.data().readAllBytes();
        }
        return r.digest();
    }

    @Test
    void paxAndGnuLongNamesAndBinaryXattrs() throws IOException {
        String longName = "dir/" + "x".repeat(300);
        TarBuilder.Entry pax = TarBuilder.file(longName, "p")
                .xattr("security.capability", new byte[] {1, 0, (byte) 0xFF, 0x0A, 0x3D});
        pax.paxMtime = "-1.25";
        TarBuilder.Entry gnu = TarBuilder.symlink("g/" + "y".repeat(200), "t/" + "z".repeat(150));
        gnu.gnuLongNames = true;
        List<TarEntry> es = read(TarBuilder.of(TarBuilder.list(pax, gnu)));
        assertEquals(longName, es.get(0).name());
        assertArrayEquals(new byte[] {1, 0, (byte) 0xFF, 0x0A, 0x3D}, es.get(0).xattrs().get("security.capability"));
        assertEquals(-2, es.get(0).mtime());
        assertEquals(750_000_000, es.get(0).mtimeNsec());
        assertEquals("g/" + "y".repeat(200), es.get(1).name());
        assertEquals("t/" + "z".repeat(150), es.get(1).linkName());
    }

    @Test
    void globalHeadersAndLibarchiveXattrs() throws IOException {
        TarBuilder b = new TarBuilder();
        Map<String, byte[]> global = new LinkedHashMap<>();
        global.put("uid", "4242".getBytes());
        TarBuilder.Entry g = new TarBuilder.Entry("pax_global_header", 'g').data(TarBuilder.paxData(global));
        b.add(g);
        TarBuilder.Entry f = TarBuilder.file("f", "x");
        f.pax.put("LIBARCHIVE.xattr.user.a%3Db", Base64.getEncoder().encode(new byte[] {9, 8}));
        b.add(f);
        List<TarEntry> es = read(b.build());
        assertEquals(1, es.size());
        assertEquals(4242, es.getFirst().uid());
        assertArrayEquals(new byte[] {9, 8}, es.getFirst().xattrs().get("user.a=b"));
    }

    @Test
    void base256Numbers() throws IOException {
        byte[] tar = TarBuilder.of(TarBuilder.list(TarBuilder.file("f", "x")));
        tar[108] = (byte) 0x80; // uid field: base-256
        for (int i = 109; i < 116; i++) {
            tar[i] = 0;
        }
        tar[115] = 0x10;
        tar[114] = 0x01;
        byte[] h = java.util.Arrays.copyOf(tar, 512);
        TarBuilder.checksum(h);
        System.arraycopy(h, 0, tar, 0, 512);
        assertEquals(0x0110, read(tar).getFirst().uid());
    }

    @Test
    void paxSparseFormats() throws IOException {
        byte[] v10 = new TarBuilder().sparse("s", 10_000, new long[][] {{0, 3}, {9000, 2}}, (byte) 5).build();
        TarReader r = new TarReader(new ByteArrayInputStream(v10));
        TarEntry e = r.next();
        assertEquals("s", e.name());
        assertEquals(10_000, e.size());
        assertEquals(List.of(new Segment(0, 3), new Segment(9000, 2)), e.sparse());
        assertArrayEquals(new byte[] {5, 5, 5, 5, 5}, r.data().readAllBytes());

        TarBuilder.Entry v01 = TarBuilder.file("GNUSparseFile/x", new byte[] {1, 2, 3});
        v01.pax.put("GNU.sparse.map", "10,1,20,2".getBytes());
        v01.pax.put("GNU.sparse.size", "100".getBytes());
        v01.pax.put("GNU.sparse.name", "real".getBytes());
        TarEntry e01 = read(TarBuilder.of(TarBuilder.list(v01))).getFirst();
        assertEquals("real", e01.name());
        assertEquals(100, e01.size());
        assertEquals(List.of(new Segment(10, 1), new Segment(20, 2)), e01.sparse());
    }

    @Test
    void paxSparseFormat00RepeatsItsKeys() throws IOException {
        String records = "26 GNU.sparse.offset=4096\n" + "25 GNU.sparse.numbytes=2\n"
                + "26 GNU.sparse.offset=8000\n" + "25 GNU.sparse.numbytes=1\n" + "24 GNU.sparse.size=9000\n";
        TarBuilder b = new TarBuilder();
        b.add(new TarBuilder.Entry("PaxHeaders/s", 'x').data(records.getBytes(StandardCharsets.US_ASCII)));
        b.add(TarBuilder.file("s00", new byte[] {7, 8, 9}));
        TarReader r = new TarReader(new ByteArrayInputStream(b.build()));
        TarEntry e = r.next();
        assertEquals(9000, e.size());
        assertEquals(List.of(new Segment(4096, 2), new Segment(8000, 1)), e.sparse());
        assertArrayEquals(new byte[] {7, 8, 9}, r.data().readAllBytes());
    }

    @Test
    void oldGnuSparseHeaders() throws IOException {
        byte[] h = new byte[512];
        System.arraycopy("old".getBytes(), 0, h, 0, 3);
        octal(h, 100, 8, 0644);
        octal(h, 124, 12, 6);                // stored bytes
        octal(h, 136, 12, 1);
        h[156] = 'S';
        System.arraycopy("ustar  \0".getBytes(StandardCharsets.ISO_8859_1), 0, h, 257, 8);
        octal(h, 386, 12, 0);                // segment 1: 4 bytes at 0
        octal(h, 398, 12, 4);
        octal(h, 410, 12, 8192);             // segment 2: 2 bytes at 8192
        octal(h, 422, 12, 2);
        octal(h, 483, 12, 10_000);           // real size
        TarBuilder.checksum(h);
        byte[] data = new byte[512];
        System.arraycopy(new byte[] {1, 2, 3, 4, 5, 6}, 0, data, 0, 6);
        byte[] tar = new TarBuilder().raw(h).raw(data).build();
        TarReader r = new TarReader(new ByteArrayInputStream(tar));
        TarEntry e = r.next();
        assertEquals(10_000, e.size());
        assertEquals(List.of(new Segment(0, 4), new Segment(8192, 2)), e.sparse());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, r.data().readAllBytes());
        assertNull(r.next());
    }

    private static void octal(byte[] h, int off, int len, long v) {
        String s = String.format("%0" + (len - 1) + "o", v);
        System.arraycopy(s.getBytes(), 0, h, off, len - 1);
    }

    @Test
    void endWithoutTrailerIsRefused() throws IOException {
        byte[] tar = new TarBuilder().add(TarBuilder.file("f", "x")).buildUnterminated();
        LayerException e = assertThrows(LayerException.class, () -> read(tar));
        assertEquals("f", e.entry());
        // one zero block is enough
        byte[] one = java.util.Arrays.copyOf(tar, tar.length + 512);
        assertEquals(1, read(one).size());
    }

    @Test
    void truncatedDataNamesTheEntry() throws IOException {
        byte[] tar = TarBuilder.of(TarBuilder.list(TarBuilder.file("cut", new byte[2000])));
        TarReader r = new TarReader(new ByteArrayInputStream(java.util.Arrays.copyOf(tar, 1000)));
        r.next();
        LayerException e = assertThrows(LayerException.class, () -> r.data().readAllBytes());
        assertEquals("cut", e.entry());
    }

    @Test
    void rawNameBytesSurvive() throws IOException {
        byte[] tar = TarBuilder.of(TarBuilder.list(TarBuilder.file("x", "y")));
        tar[0] = (byte) 0xE9; // Latin-1 e-acute, invalid as UTF-8
        byte[] h = java.util.Arrays.copyOf(tar, 512);
        TarBuilder.checksum(h);
        System.arraycopy(h, 0, tar, 0, 512);
        assertArrayEquals(new byte[] {(byte) 0xE9}, Names.bytes(read(tar).getFirst().name()));
    }
}
