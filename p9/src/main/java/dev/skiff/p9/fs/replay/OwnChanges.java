package dev.skiff.p9.fs.replay;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What this server's own clients changed on the host in the last few seconds: names (a directory's
 * identity and an entry name) and files (their identity). A host watcher asks it whether an event
 * is the echo of this server's own work, which the guest that made it has seen already and must
 * not see twice. Bounded: past {@link #MAX} entries, old ones are pruned first, and if all are
 * recent the oldest half goes (an echo may then reach the guest: a harmless extra event).
 */
public final class OwnChanges implements Echoes {
    static final int MAX = 16_384;
    private final long windowNanos;
    private final ConcurrentHashMap<Object, Long> seen = new ConcurrentHashMap<>();

    record Name(long dirDev, long dirIno, String name) {}

    record File(long dev, long ino) {}

    public OwnChanges(java.time.Duration window) {
        this.windowNanos = window.toNanos();
    }

    /** A name this server is about to make (create, mkdir, symlink, mknod, link, the target of a rename). */
    void added(long dirDev, long dirIno, String name) {
        put(new Added(new Name(dirDev, dirIno, name)));
    }

    /** A name this server is about to remove (unlink, the source of a rename). */
    void removed(long dirDev, long dirIno, String name) {
        put(new Removed(new Name(dirDev, dirIno, name)));
    }

    /**
     * Names are kept with the direction of their change, so that another VM removing a name this
     * one has just made is not taken for this one's echo.
     */
    private record Added(Name name) {}

    private record Removed(Name name) {}

    void file(long dev, long ino) {
        put(new File(dev, ino));
    }

    private void put(Object key) {
        long now = System.nanoTime();
        seen.put(key, now);
        if (seen.size() > MAX) {
            seen.values().removeIf(t -> now - t > windowNanos);
            if (seen.size() > MAX / 2) {
                long cutoff = seen.values().stream().sorted().skip(seen.size() / 2).findFirst().orElse(now);
                seen.values().removeIf(t -> t < cutoff);
            }
        }
    }

    /** Whether this server made entry {@code name} of the directory (dev, ino) within the window. */
    @Override
    public boolean addedName(long dirDev, long dirIno, String name) {
        return recent(new Added(new Name(dirDev, dirIno, name)));
    }

    /** Whether this server removed entry {@code name} of the directory (dev, ino) within the window. */
    @Override
    public boolean removedName(long dirDev, long dirIno, String name) {
        return recent(new Removed(new Name(dirDev, dirIno, name)));
    }

    /** Whether this server changed the file (dev, ino), its content or attributes, within the window. */
    @Override
    public boolean changedFile(long dev, long ino) {
        return recent(new File(dev, ino));
    }

    private boolean recent(Object key) {
        Long t = seen.get(key);
        return t != null && System.nanoTime() - t <= windowNanos;
    }

    int size() {
        return seen.size();
    }
}
