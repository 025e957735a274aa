package dev.skiff.erofs.tar;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.Names;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The sparse-file maps of GNU tar (GNU tar manual, "Storing Sparse Files"): the old GNU format in the header
 * and its extension blocks, and the PAX formats 0.1 ({@code GNU.sparse.map}) and 1.0 (a decimal map at the start
 * of the data, padded to a block). Format 0.0 is assembled by {@link TarReader} from repeated records.
 */
final class SparseMaps {
    private SparseMaps() {}

    /** Old GNU: four slots in the header at 386, more in extension blocks while {@code isextended} is set. */
    static List<Segment> gnu(TarHeader h, TarInput in, String name, long offset) throws IOException {
        List<Segment> out = new ArrayList<>();
        slots(h, 386, 4, out, offset);
        boolean extended = h.b[482] != 0;
        byte[] block = new byte[TarHeader.SIZE];
        while (extended) {
            if (in.readFully(block, 0, block.length) < block.length) {
                throw new LayerException(Names.display(name), "archive is truncated inside a sparse header");
            }
            TarHeader ext = new TarHeader(block);
            slots(ext, 0, 21, out, offset);
            extended = block[504] != 0;
            limit(out, name);
        }
        return out;
    }

    private static void slots(TarHeader h, int at, int count, List<Segment> out, long offset) throws LayerException {
        for (int i = 0; i < count; i++) {
            int o = at + i * 24;
            if (h.b[o] == 0) {
                return;
            }
            out.add(new Segment(h.number(o, 12, offset), h.number(o + 12, 12, offset)));
        }
    }

    /** PAX 0.1: {@code GNU.sparse.map=offset,size,offset,size...}. */
    static List<Segment> pax01(String map, String name) throws LayerException {
        List<Segment> out = new ArrayList<>();
        String[] parts = map.strip().isEmpty() ? new String[0] : map.strip().split(",");
        if (parts.length % 2 != 0) {
            throw new LayerException(Names.display(name), "GNU.sparse.map has an odd number of values");
        }
        for (int i = 0; i < parts.length; i += 2) {
            out.add(new Segment(TarReader.decimal(parts[i], name, "GNU.sparse.map"),
                    TarReader.decimal(parts[i + 1], name, "GNU.sparse.map")));
            limit(out, name);
        }
        return out;
    }

    /** PAX 1.0: decimal lines (count, then offset/size pairs) at the start of the data, padded to 512. */
    static List<Segment> pax10(TarInput in, String name) throws IOException {
        long[] consumed = {0};
        long count = line(in, name, consumed);
        if (count > TarReader.MAX_SPARSE_SEGMENTS) {
            throw new LayerException(Names.display(name), "sparse map of " + count + " segments exceeds the limit of "
                    + TarReader.MAX_SPARSE_SEGMENTS);
        }
        List<Segment> out = new ArrayList<>();
        for (long i = 0; i < count; i++) {
            out.add(new Segment(line(in, name, consumed), line(in, name, consumed)));
        }
        long pad = (TarHeader.SIZE - consumed[0] % TarHeader.SIZE) % TarHeader.SIZE;
        try {
            in.skip(pad);
        } catch (java.io.EOFException e) {
            throw new LayerException(Names.display(name), "archive is truncated inside a sparse map");
        }
        return out;
    }

    private static long line(TarInput in, String name, long[] consumed) throws IOException {
        byte[] one = new byte[1];
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (in.read(one, 0, 1) < 0) {
                throw new LayerException(Names.display(name), "archive is truncated inside a sparse map");
            }
            consumed[0]++;
            if (one[0] == '\n') {
                break;
            }
            if (sb.length() > 20) {
                throw new LayerException(Names.display(name), "malformed sparse map");
            }
            sb.append((char) (one[0] & 0xFF));
        }
        return TarReader.decimal(sb.toString(), name, "sparse map");
    }

    private static void limit(List<Segment> out, String name) throws LayerException {
        if (out.size() > TarReader.MAX_SPARSE_SEGMENTS) {
            throw new LayerException(Names.display(name), "sparse map exceeds the limit of "
                    + TarReader.MAX_SPARSE_SEGMENTS + " segments");
        }
    }

    /** Segments must be ordered, disjoint, inside the file, and add up to the stored data. */
    static void validate(List<Segment> segments, long realSize, long stored, String name) throws LayerException {
        long end = 0;
        long total = 0;
        for (Segment s : segments) {
            if (s.offset() < end || s.length() < 0 || s.offset() + s.length() > realSize
                    || s.offset() + s.length() < 0) {
                throw new LayerException(Names.display(name), "sparse map is out of order or outside the file size "
                        + realSize);
            }
            end = s.offset() + s.length();
            total += s.length();
        }
        if (total != stored) {
            throw new LayerException(Names.display(name), "sparse map describes " + total + " bytes but the entry "
                    + "stores " + stored);
        }
    }
}
