package dev.skiff.erofs.write;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.format.DataLayout;
import dev.skiff.erofs.tar.Segment;
import dev.skiff.erofs.tree.FileData;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataWriterTest {
    @TempDir
    Path tmp;

    @Test
    void layoutsFollowSizeAndRoom() throws Exception {
        Path img = tmp.resolve("d");
        try (ImageOutput out = ImageOutput.create(img, 4096)) {
            DataWriter w = new DataWriter(out);
            FileData small = w.write(new ByteArrayInputStream(new byte[100]), 100, null, 0, "small");
            assertEquals(DataLayout.FLAT_INLINE, small.layout());
            assertEquals(100, small.tail().length);
            assertEquals(4096, out.position()); // nothing written: all inline

            FileData exact = w.write(new ByteArrayInputStream(new byte[8192]), 8192, null, 0, "exact");
            assertEquals(DataLayout.FLAT_PLAIN, exact.layout());
            assertEquals(1, exact.blkaddr());
            assertNull(exact.tail());

            byte[] d = new byte[5000];
            d[4999] = 9;
            FileData tail = w.write(new ByteArrayInputStream(d), 5000, null, 0, "tail");
            assertEquals(DataLayout.FLAT_INLINE, tail.layout());
            assertEquals(3, tail.blkaddr());
            assertEquals(9, tail.tail()[903]);

            FileData noRoom = w.write(new ByteArrayInputStream(new byte[3000]), 3000, null, 2000, "xattrs");
            assertEquals(DataLayout.FLAT_PLAIN, noRoom.layout());
            assertEquals(5 * 4096, out.position());
            out.finish(out.position());
        }
        assertEquals(5 * 4096, Files.size(img));
    }

    /** A guest maps only FLAT_PLAIN files in place (DAX): a mappable image packs no tails, small files too. */
    @Test
    void withNoInlineBudgetEveryFileIsWholeBlocks() throws Exception {
        Path img = tmp.resolve("m");
        try (ImageOutput out = ImageOutput.create(img, 4096)) {
            DataWriter w = new DataWriter(out, 0);
            byte[] d = new byte[5000];
            d[4999] = 7;
            FileData tail = w.write(new ByteArrayInputStream(d), 5000, null, 0, "tail");
            assertEquals(DataLayout.FLAT_PLAIN, tail.layout());
            assertEquals(1, tail.blkaddr());
            assertNull(tail.tail());
            FileData small = w.write(new ByteArrayInputStream(new byte[100]), 100, null, 0, "small");
            assertEquals(DataLayout.FLAT_PLAIN, small.layout());
            assertEquals(3, small.blkaddr());
            assertEquals(4 * 4096, out.position());
            out.finish(out.position());
        }
        byte[] written = Files.readAllBytes(img);
        assertEquals(7, written[4096 + 4999]);
    }

    @Test
    void sparseFilesBecomeChunkRuns() throws Exception {
        try (ImageOutput out = ImageOutput.create(tmp.resolve("s"), 4096)) {
            DataWriter w = new DataWriter(out);
            List<Segment> segs = List.of(new Segment(0, 10), new Segment(4096, 10), new Segment(40960, 5));
            FileData f = w.write(new ByteArrayInputStream(new byte[25]), 50_000, segs, 0, "sparse");
            assertEquals(DataLayout.CHUNK_BASED, f.layout());
            assertEquals(0, f.chunkBits());
            // chunks 0 and 1 are contiguous (blocks 1, 2), chunk 10 is block 3
            assertArrayEquals(new long[] {0, 1, 2, 10, 3, 1}, f.runs());
            assertEquals(13, f.chunks());

            List<Segment> full = List.of(new Segment(0, 5000));
            FileData dense = w.write(new ByteArrayInputStream(new byte[5000]), 5000, full, 0, "dense-sparse");
            assertEquals(DataLayout.FLAT_PLAIN, dense.layout());
        }
    }

    @Test
    void shortDataIsAnError() throws Exception {
        try (ImageOutput out = ImageOutput.create(tmp.resolve("e"), 4096)) {
            DataWriter w = new DataWriter(out);
            LayerException e = assertThrows(LayerException.class,
                    () -> w.write(new ByteArrayInputStream(new byte[10]), 5000, null, 0, "short"));
            assertEquals("short", e.entry());
        }
    }
}
