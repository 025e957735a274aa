package dev.skiff.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** {@code struct statfs} (64-bit layout, bits/statfs.h): what statfs(2) reports. */
public record StatFs(long type, long bsize, long blocks, long bfree, long bavail, long files,
        long ffree, long fsid, long namelen) {
    static StatFs of(MemorySegment s) {
        long fsid = (s.get(ValueLayout.JAVA_INT, 56) & 0xffffffffL)
                | ((long) s.get(ValueLayout.JAVA_INT, 60) << 32);
        return new StatFs(s.get(ValueLayout.JAVA_LONG, 0), s.get(ValueLayout.JAVA_LONG, 8),
                s.get(ValueLayout.JAVA_LONG, 16), s.get(ValueLayout.JAVA_LONG, 24),
                s.get(ValueLayout.JAVA_LONG, 32), s.get(ValueLayout.JAVA_LONG, 40),
                s.get(ValueLayout.JAVA_LONG, 48), fsid, s.get(ValueLayout.JAVA_LONG, 64));
    }
}
