package dev.skiff.p9.wire;

import java.util.Arrays;

/**
 * Packs the data of an Rreaddir one entry at a time from raw parts, within a byte budget:
 * qid[13] offset[8] type[1] name[s]. It is the server's listing path, so it takes names as bytes
 * and makes no object per entry ({@link DirEntry#pack} is the convenient form for tests).
 */
public final class DirEntryWriter {
    /** The fixed part of an entry: qid[13] offset[8] type[1] and the name's length[2]. */
    public static final int FIXED = 24;

    private final int budget;
    private byte[] buf;
    private int pos;

    public DirEntryWriter(int budget) {
        this.budget = budget;
        this.buf = new byte[Math.max(0, Math.min(budget, 16 * 1024))];
    }

    /** Appends one entry; returns false, writing nothing, when it would exceed the budget. */
    public boolean add(int qidType, long qidPath, long offset, int dtype, byte[] name, int nameOff, int nameLen) {
        if (nameLen > 0xffff) {
            throw new IllegalArgumentException("name of " + nameLen + " bytes does not fit s[2]");
        }
        int size = FIXED + nameLen;
        if (pos + size > budget) {
            return false;
        }
        if (pos + size > buf.length) {
            buf = Arrays.copyOf(buf, Math.min(budget, Math.max(buf.length * 2, pos + size)));
        }
        byte[] b = buf;
        int p = pos;
        b[p] = (byte) qidType;
        putLe(b, p + 1, 0, 4);              // qid.version
        putLe(b, p + 5, qidPath, 8);
        putLe(b, p + 13, offset, 8);
        b[p + 21] = (byte) dtype;
        putLe(b, p + 22, nameLen, 2);
        System.arraycopy(name, nameOff, b, p + FIXED, nameLen);
        pos = p + size;
        return true;
    }

    /** The packed entries. */
    public byte[] toBytes() {
        return Arrays.copyOf(buf, pos);
    }

    private static void putLe(byte[] b, int at, long v, int n) {
        for (int i = 0; i < n; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }
}
