package dev.skiff.p9.wire;

import java.util.Arrays;

/**
 * Packs the data of an Rreaddir one entry at a time from raw parts, within a byte budget:
 * qid[13] offset[8] type[1] name[s]. It is the server's listing path, so it takes names as bytes
 * and makes no object per entry ({@link DirEntry#pack} is the convenient form for tests).
 */
public final class DirEntryWriter {
    /** The fixed part of an entry: qid[13] offset[8] type[1] and the name's length[2]. */
    public static final int FIXED = Qid.SIZE + 8 + 1 + 2;

    private final int budget;
    private final WireWriter w;

    public DirEntryWriter(int budget) {
        this.budget = budget;
        this.w = new WireWriter(Math.min(budget, 16 * 1024));
    }

    /** Appends one entry; returns false, writing nothing, when it would exceed the budget. */
    public boolean add(int qidType, long qidPath, long offset, int dtype, byte[] name, int nameOff, int nameLen) {
        if (nameLen > 0xffff) {
            throw new IllegalArgumentException("name of " + nameLen + " bytes does not fit s[2]");
        }
        if (w.position() + FIXED + nameLen > budget) {
            return false;
        }
        w.u8(qidType);
        w.u32(0);                           // qid.version
        w.u64(qidPath);
        w.u64(offset);
        w.u8(dtype);
        w.u16(nameLen);
        w.bytes(name, nameOff, nameLen);
        return true;
    }

    /** The packed entries. */
    public byte[] toBytes() {
        return Arrays.copyOf(w.array(), w.position());
    }
}
