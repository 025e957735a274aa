package dev.skiff.p9.wire;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server's entry-by-entry Rreaddir packer against the record form the client decodes. */
class DirEntryWriterTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void packsExactlyAsTheRecordForm() throws Exception {
        DirEntryWriter w = new DirEntryWriter(4096);
        byte[] raw = utf8("xx.yfile-é");   // names taken from the middle of a buffer
        assertTrue(w.add(P9.QTDIR, 7, 1, 4, raw, 2, 2));
        assertTrue(w.add(P9.QTFILE, (5L << 48) | 9, 99, 8, raw, 4, raw.length - 4));
        List<DirEntry> expected = List.of(
                new DirEntry(new Qid(P9.QTDIR, 0, 7), 1, 4, ".y"),
                new DirEntry(new Qid(P9.QTFILE, 0, (5L << 48) | 9), 99, 8, "file-é"));
        assertArrayEquals(DirEntry.pack(expected), w.toBytes());
        assertEquals(expected, DirEntry.unpack(w.toBytes()));
    }

    @Test
    void refusesAnEntryBeyondTheBudgetAndKeepsWhatFits() throws Exception {
        DirEntryWriter w = new DirEntryWriter(DirEntryWriter.FIXED * 2 + 3);
        assertTrue(w.add(P9.QTFILE, 1, 1, 8, utf8("a"), 0, 1));
        assertFalse(w.add(P9.QTFILE, 2, 2, 8, utf8("bcd"), 0, 3), "26 + 27 bytes exceed 51");
        assertTrue(w.add(P9.QTFILE, 3, 3, 8, utf8("bc"), 0, 2), "a shorter name still fits");
        assertEquals(List.of("a", "bc"), DirEntry.unpack(w.toBytes()).stream().map(DirEntry::name).toList());
        assertEquals(DirEntryWriter.FIXED * 2 + 3, w.toBytes().length);
    }

    @Test
    void growsPastItsFirstBufferUpToTheBudget() throws Exception {
        DirEntryWriter w = new DirEntryWriter(1 << 20);
        byte[] name = new byte[200];
        java.util.Arrays.fill(name, (byte) 'n');
        int n = 0;
        while (w.add(P9.QTFILE, n, n + 1, 8, name, 0, name.length)) {
            n++;
        }
        assertEquals((1 << 20) / (DirEntryWriter.FIXED + 200), n);
        assertEquals(n, DirEntry.unpack(w.toBytes()).size());
    }
}
