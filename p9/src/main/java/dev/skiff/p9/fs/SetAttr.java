package dev.skiff.p9.fs;

import dev.skiff.p9.wire.P9;

/**
 * A Tsetattr request: which fields to change ({@code valid}, P9_ATTR_* bits) and their values.
 * ATIME without ATIME_SET means "now"; likewise MTIME.
 */
public record SetAttr(int valid, int mode, int uid, int gid, long size, long atimeSec,
        long atimeNsec, long mtimeSec, long mtimeNsec) {

    public boolean has(int bit) {
        return (valid & bit) != 0;
    }

    /** True if any of the bits that change file content or metadata is set. */
    public boolean changesTimes() {
        return has(P9.SETATTR_ATIME) || has(P9.SETATTR_MTIME);
    }
}
