package dev.skiff.p9.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * One entry of Rreaddir's data: qid[13] offset[8] type[1] name[s]. {@code offset} is the
 * cookie to pass to the next Treaddir to continue after this entry; {@code type} is the
 * dirent d_type (DT_DIR, DT_REG, ...).
 */
public record DirEntry(Qid qid, long offset, int dtype, String name) {

    /** The encoded size of this entry, for packing entries up to a Treaddir count. */
    public static int size(byte[] utf8Name) {
        return DirEntryWriter.FIXED + utf8Name.length;
    }

    /** Packs entries as Rreaddir data. */
    public static byte[] pack(List<DirEntry> entries) {
        WireWriter w = new WireWriter(64 * entries.size() + 16);
        for (DirEntry e : entries) {
            w.qid(e.qid());
            w.u64(e.offset());
            w.u8(e.dtype());
            w.str(e.name());
        }
        return java.util.Arrays.copyOf(w.array(), w.position());
    }

    /** Unpacks Rreaddir data; strict: an entry cut short is malformed. */
    public static List<DirEntry> unpack(byte[] data) throws MalformedMessageException {
        WireReader r = new WireReader(data, 0, data.length);
        List<DirEntry> out = new ArrayList<>();
        while (!r.atEnd()) {
            out.add(new DirEntry(r.qid(), r.u64(), r.u8(), r.str()));
        }
        return out;
    }
}
