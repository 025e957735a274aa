package dev.skiff.p9.fs.mapped;

import dev.skiff.p9.fs.OpenFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * POSIX byte-range locks kept inside the server for the mapped backend, which has no portable
 * open-file-description locks (java.nio's FileLock is per process and refuses overlaps within
 * it). Semantics follow fcntl(2): an owner's own locks never conflict with it; setting a lock
 * replaces the owner's locks on that range; read locks share; length 0 means to the end.
 * Locks held by processes on the host are not seen.
 */
final class LockTable {
    private record Range(Object owner, int type, long start, long end) {}

    private final Map<Object, List<Range>> files = new HashMap<>();

    private static long end(long start, long length) {
        return length == 0 ? Long.MAX_VALUE : start + length;
    }

    synchronized boolean tryLock(Object file, Object owner, int type, long start, long length) {
        long end = end(start, length);
        List<Range> held = files.computeIfAbsent(file, k -> new ArrayList<>());
        if (type != OpenFile.F_UNLCK && conflict(held, owner, type, start, end) != null) {
            return false;
        }
        List<Range> next = new ArrayList<>();
        for (Range r : held) {
            if (r.owner() != owner || r.end() <= start || r.start() >= end) {
                next.add(r);
                continue;
            }
            if (r.start() < start) {
                next.add(new Range(owner, r.type(), r.start(), start));
            }
            if (r.end() > end) {
                next.add(new Range(owner, r.type(), end, r.end()));
            }
        }
        if (type != OpenFile.F_UNLCK) {
            next.add(new Range(owner, type, start, end));
        }
        held.clear();
        held.addAll(next);
        if (held.isEmpty()) {
            files.remove(file);
        }
        return true;
    }

    synchronized OpenFile.LockInfo test(Object file, Object owner, int type, long start, long length) {
        Range r = conflict(files.getOrDefault(file, List.of()), owner, type, start, end(start, length));
        return r == null ? null : new OpenFile.LockInfo(r.type(), r.start(),
                r.end() == Long.MAX_VALUE ? 0 : r.end() - r.start(), -1);
    }

    synchronized void releaseAll(Object file, Object owner) {
        List<Range> held = files.get(file);
        if (held == null) {
            return;
        }
        for (Iterator<Range> i = held.iterator(); i.hasNext(); ) {
            if (i.next().owner() == owner) {
                i.remove();
            }
        }
        if (held.isEmpty()) {
            files.remove(file);
        }
    }

    private static Range conflict(List<Range> held, Object owner, int type, long start, long end) {
        for (Range r : held) {
            if (r.owner() != owner && r.start() < end && start < r.end()
                    && (type == OpenFile.F_WRLCK || r.type() == OpenFile.F_WRLCK)) {
                return r;
            }
        }
        return null;
    }
}
