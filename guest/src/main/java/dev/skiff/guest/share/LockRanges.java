package dev.skiff.guest.share;

import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Tmessage.Tlock;
import java.util.ArrayList;
import java.util.List;

/**
 * The POSIX byte-range locks held through one fid, as the server granted them: disjoint ranges,
 * each read or write. A lock or unlock replaces whatever it overlaps, as fcntl(2) does for one
 * owner, so the set stays as small as what is actually held however often a database locks and
 * unlocks; a restore takes exactly these again.
 */
final class LockRanges {
    /** [start, end), end exclusive; Long.MAX_VALUE for "to the end of the file, however it grows". */
    private record Range(long start, long end, int type) {}

    private final List<Range> ranges = new ArrayList<>();
    private int procId;
    private String clientId = "";

    /** Applies a lock request the server granted (F_RDLCK, F_WRLCK or F_UNLCK over a range). */
    void apply(Tlock l) {
        long start = Math.max(0, l.start());
        long end = l.length() == 0 || start + l.length() < start ? Long.MAX_VALUE : start + l.length();
        List<Range> kept = new ArrayList<>();
        for (Range r : ranges) {
            if (r.end <= start || r.start >= end) {
                kept.add(r);
                continue;
            }
            if (r.start < start) {
                kept.add(new Range(r.start, start, r.type));
            }
            if (r.end > end) {
                kept.add(new Range(end, r.end, r.type));
            }
        }
        if (l.lockType() != P9.LOCK_TYPE_UNLCK) {
            kept.add(new Range(start, end, l.lockType()));
            procId = l.procId();
            clientId = l.clientId();
        }
        kept.sort((a, b) -> Long.compare(a.start, b.start));
        ranges.clear();
        ranges.addAll(kept);
    }

    /** The lock requests that take these locks again on a new server (non-blocking, flagged as reclaims). */
    List<Tlock> held(int fid) {
        List<Tlock> out = new ArrayList<>();
        for (Range r : ranges) {
            out.add(new Tlock(fid, r.type, P9.LOCK_FLAGS_RECLAIM, r.start, r.end == Long.MAX_VALUE ? 0 : r.end - r.start,
                    procId, clientId));
        }
        return out;
    }

    boolean isEmpty() {
        return ranges.isEmpty();
    }
}
