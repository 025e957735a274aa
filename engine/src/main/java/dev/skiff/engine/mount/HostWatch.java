package dev.skiff.engine.mount;

import dev.skiff.p9.fs.replay.HostChange;
import dev.skiff.p9.fs.replay.Echoes;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Files;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Inotify;
import dev.skiff.sys.Statx;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Watches the host folders behind read-write bind mounts and hands each share the changes made
 * there by anyone but that share's own guest, for its guest to replay (see
 * {@link dev.skiff.p9.fs.replay.ReplayingFileSystem}): a container's inotify watch on a bind
 * mount then hears what the host, or a container in another VM, did to the folder.
 *
 * <p>One inotify instance serves every share, one watch per folder (shares of the same folder use
 * the same watches), read by one platform thread. Events are gathered for up to
 * {@link #BATCH_MILLIS} and translated once: a rename's two halves paired by cookie, repeated
 * writes to one file merged, a new folder watched at once and whatever appeared in it before
 * its watch reported as created. A share is sent what happened under its root, except the
 * echoes of its own guest's work ({@link Echoes}); each share's replays run in order on a
 * virtual thread of its own, so a slow guest delays only itself.
 *
 * <p>Limits: at most {@code maxFolders} folders are watched per share; past that one log line
 * says so and deeper changes are not replayed. When the kernel's queue overflows, every root is
 * walked again for folders that lack a watch (the events lost in between are not replayed).
 */
public final class HostWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HostWatch.class.getName());
    static final int BATCH_MILLIS = 60;
    private static final int MASK = Inotify.IN_CREATE | Inotify.IN_DELETE | Inotify.IN_MOVED_FROM
            | Inotify.IN_MOVED_TO | Inotify.IN_MODIFY | Inotify.IN_CLOSE_WRITE | Inotify.IN_ATTRIB
            | Inotify.IN_ONLYDIR | Inotify.IN_DONT_FOLLOW | Inotify.IN_EXCL_UNLINK;

    /** Where a share's changes go: its guest replays them. */
    @FunctionalInterface
    public interface Sink {
        void replay(List<HostChange> changes) throws Exception;
    }

    private final int maxFolders;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<Integer, Folder> byWd = new HashMap<>();
    private final Map<Path, Integer> wdByPath = new HashMap<>();
    private final List<Share> shares = new CopyOnWriteArrayList<>();
    private Inotify inotify;
    private Thread reader;
    private volatile boolean closed;

    /** A watched folder: its path now, its identity, and how many shares watch it. */
    static final class Folder {
        Path path;
        final long dev, ino;
        int shares;

        Folder(Path path, long dev, long ino) {
            this.path = path;
            this.dev = dev;
            this.ino = ino;
        }
    }

    public HostWatch(int maxFolders) {
        this.maxFolders = maxFolders;
    }

    /** One share's watch; closing it ends the share's watches and its replays. */
    public final class Share implements AutoCloseable {
        final Path root;
        /** For the bind of one file: its name in root, the only one watched; null for a whole tree. */
        final String only;
        final Echoes own;
        final Sink sink;
        final Set<Integer> wds = new HashSet<>();
        final ExecutorService out = Executors.newSingleThreadExecutor(Thread.ofVirtual().name("replay").factory());
        boolean limitLogged;

        private Share(Path root, String only, Echoes own, Sink sink) {
            this.root = root;
            this.only = only;
            this.own = own;
            this.sink = sink;
        }

        @Override
        public void close() {
            unwatch(this);
        }
    }

    /** Starts watching {@code root} (a folder) and all below it, for a share whose own changes {@code own} records. */
    public Share watch(Path root, Echoes own, Sink sink) throws IOException {
        return watch(root, null, own, sink);
    }

    /**
     * Starts watching, for a share whose own changes {@code own} records, either {@code root} and all
     * below it ({@code only} null) or only the entry {@code only} of {@code root} (the bind of one
     * file: its folder alone is watched, not what lies below, and only that name is replayed).
     */
    public Share watch(Path root, String only, Echoes own, Sink sink) throws IOException {
        Share s = new Share(root.toAbsolutePath().normalize(), only, own, sink);
        lock.lock();
        try {
            if (closed) {
                throw new IOException("the host watch is closed");
            }
            if (inotify == null) {
                inotify = new Inotify();
                reader = Thread.ofPlatform().daemon().name("host-watch").start(this::run);
            }
            shares.add(s);
            addTree(s, s.root, null);
        } finally {
            lock.unlock();
        }
        return s;
    }

    private void unwatch(Share s) {
        lock.lock();
        try {
            if (!shares.remove(s)) {
                return;
            }
            for (int wd : s.wds) {
                Folder f = byWd.get(wd);
                if (f != null && --f.shares == 0) {
                    forget(wd, f);
                    inotify.removeWatch(wd);
                }
            }
            s.wds.clear();
        } finally {
            lock.unlock();
        }
        s.out.shutdownNow();
    }

    private void forget(int wd, Folder f) {
        byWd.remove(wd);
        wdByPath.remove(f.path, wd);
    }

    /**
     * Watches {@code dir} and the folders below it for every share whose root holds it (or for
     * {@code only}); when {@code created} is given, adds to it every entry found below {@code dir},
     * which appeared before its watch did. Called with the lock held.
     */
    private void addTree(Share only, Path dir, List<Change> created) {
        List<Share> owners = new ArrayList<>();
        boolean walk = false;
        for (Share s : only != null ? List.of(only) : shares) {
            if (dir.startsWith(s.root) && (s.only == null || dir.equals(s.root))) {
                owners.add(s);
                walk |= s.only == null;
            }
        }
        if (owners.isEmpty()) {
            return;
        }
        if (!walk) {
            addWatch(owners, dir); // the folder of a bound file: nothing below it matters
            return;
        }
        try {
            java.nio.file.Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    if (created != null && !d.equals(dir)) {
                        created.add(new Change(Kind.CREATED, d, null, true, folderOf(d.getParent()), null));
                    }
                    return addWatch(owners, d) ? FileVisitResult.CONTINUE : FileVisitResult.SKIP_SUBTREE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    if (created != null) {
                        created.add(new Change(Kind.CREATED, f, null, false, folderOf(f.getParent()), null));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE; // gone already, or unreadable: nothing to watch
                }
            });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "host watch: cannot walk " + dir + ": " + e.getMessage());
        }
    }

    /** The watched folder at {@code path}, or null. */
    private Folder folderOf(Path path) {
        Integer wd = wdByPath.get(path);
        return wd == null ? null : byWd.get(wd);
    }

    /** Adds one folder's watch for the owners that have room; false if none had. */
    private boolean addWatch(List<Share> owners, Path d) {
        List<Share> room = new ArrayList<>();
        for (Share s : owners) {
            if (s.only != null && !d.equals(s.root)) {
                continue; // a bound file's share watches its folder only
            }
            if (s.wds.size() < maxFolders) {
                room.add(s);
            } else if (!s.limitLogged) {
                s.limitLogged = true;
                LOG.log(System.Logger.Level.WARNING, "bind mount of " + s.root + " has more than " + maxFolders
                        + " folders: changes made on the host below the first " + maxFolders
                        + " are not seen by containers' inotify watches");
            }
        }
        if (room.isEmpty()) {
            return false;
        }
        int wd;
        Statx st;
        try {
            wd = inotify.addWatch(d.toString(), MASK);
            st = Files.statx(Fds.AT_FDCWD, d.toString(), Files.AT_SYMLINK_NOFOLLOW);
        } catch (ErrnoException e) {
            return false; // gone, or not a folder any more
        }
        Folder f = byWd.computeIfAbsent(wd, k -> new Folder(d, st.dev(), st.ino()));
        if (!f.path.equals(d)) {
            wdByPath.remove(f.path, wd);
            f.path = d;
        }
        wdByPath.put(d, wd);
        for (Share s : room) {
            if (s.wds.add(wd)) {
                f.shares++;
            }
        }
        return true;
    }

    // --- reading and translating events --------------------------------------------------------

    enum Kind { CREATED, DELETED, MOVED, MODIFIED, WRITTEN, ATTRIBUTES }

    /**
     * One translated event with absolute paths; {@code folder}/{@code toFolder} identify the parent
     * folders (for echo checks on names).
     */
    record Change(Kind kind, Path path, Path to, boolean directory, Folder folder, Folder toFolder) {}

    private void run() {
        List<Inotify.Event> batch = new ArrayList<>();
        try {
            while (!closed) {
                List<Inotify.Event> got = inotify.read(250);
                if (got.isEmpty()) {
                    continue;
                }
                batch.addAll(got);
                long end = System.nanoTime() + BATCH_MILLIS * 1_000_000L;
                while (!closed && System.nanoTime() < end) {
                    batch.addAll(inotify.read(10));
                }
                dispatch(translate(batch));
                batch.clear();
            }
        } catch (ErrnoException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "host watch stopped: " + e.getMessage()
                    + "; containers no longer hear changes made outside their VM");
        } finally {
            lock.lock();
            try {
                inotify.close();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Events to changes, watches kept in step (new folders watched, moved folders renamed). */
    private List<Change> translate(List<Inotify.Event> events) {
        List<Change> out = new ArrayList<>();
        lock.lock();
        try {
            Map<Integer, Integer> fromAt = new HashMap<>(); // cookie -> index in out of its MOVED_FROM as DELETED
            for (Inotify.Event e : events) {
                if (e.is(Inotify.IN_Q_OVERFLOW)) {
                    LOG.log(System.Logger.Level.WARNING, "host watch: the kernel's event queue overflowed; "
                            + "rescanning the watched folders (changes in between are not replayed)");
                    for (Share s : shares) {
                        addTree(s, s.root, null);
                    }
                    continue;
                }
                Folder f = byWd.get(e.wd());
                if (f == null) {
                    continue;
                }
                if (e.is(Inotify.IN_IGNORED)) {
                    forget(e.wd(), f);
                    for (Share s : shares) {
                        s.wds.remove(e.wd());
                    }
                    continue;
                }
                if (e.name().isEmpty()) {
                    continue; // an event on the watched folder itself: its parent's watch reports it
                }
                Path p = f.path.resolve(e.name());
                boolean dir = e.is(Inotify.IN_ISDIR);
                if (e.is(Inotify.IN_CREATE)) {
                    out.add(new Change(Kind.CREATED, p, null, dir, f, null));
                    if (dir) {
                        addTree(null, p, out);
                    }
                } else if (e.is(Inotify.IN_DELETE)) {
                    out.add(new Change(Kind.DELETED, p, null, dir, f, null));
                } else if (e.is(Inotify.IN_MOVED_FROM)) {
                    fromAt.put(e.cookie(), out.size());
                    out.add(new Change(Kind.DELETED, p, null, dir, f, null));
                } else if (e.is(Inotify.IN_MOVED_TO)) {
                    Integer at = fromAt.remove(e.cookie());
                    if (at != null) {
                        Change from = out.get(at);
                        out.set(at, new Change(Kind.MOVED, from.path(), p, dir, from.folder(), f));
                        if (dir) {
                            renamed(from.path(), p);
                        }
                    } else {
                        out.add(new Change(Kind.CREATED, p, null, dir, f, null));
                        if (dir) {
                            addTree(null, p, null);
                        }
                    }
                } else if (e.is(Inotify.IN_MODIFY)) {
                    out.add(new Change(Kind.MODIFIED, p, null, false, f, null));
                } else if (e.is(Inotify.IN_CLOSE_WRITE)) {
                    out.add(new Change(Kind.WRITTEN, p, null, false, f, null));
                } else if (e.is(Inotify.IN_ATTRIB)) {
                    out.add(new Change(Kind.ATTRIBUTES, p, null, dir, f, null));
                }
            }
            for (int at : fromAt.values()) {
                Change gone = out.get(at);
                if (gone.directory()) {
                    movedOut(gone.path()); // its watches follow the folder to wherever it went
                }
            }
        } finally {
            lock.unlock();
        }
        return merge(out);
    }

    /** A watched folder renamed within the watched trees: its watches (and those below) keep their wds. */
    private void renamed(Path from, Path to) {
        for (Map.Entry<Integer, Folder> e : byWd.entrySet()) {
            Folder f = e.getValue();
            if (f.path.startsWith(from)) {
                wdByPath.remove(f.path, e.getKey());
                f.path = to.resolve(from.relativize(f.path));
                wdByPath.put(f.path, e.getKey());
            }
        }
    }

    /** A watched folder moved out of sight: its watches go. */
    private void movedOut(Path from) {
        for (Map.Entry<Integer, Folder> e : List.copyOf(byWd.entrySet())) {
            if (e.getValue().path.startsWith(from)) {
                forget(e.getKey(), e.getValue());
                inotify.removeWatch(e.getKey());
                for (Share s : shares) {
                    s.wds.remove(e.getKey());
                }
            }
        }
    }

    /** Drops repeats of a modify, close-write or attribute change of one file within a batch. */
    static List<Change> merge(List<Change> changes) {
        List<Change> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Change c : changes) {
            boolean repeatable = c.kind() == Kind.MODIFIED || c.kind() == Kind.WRITTEN || c.kind() == Kind.ATTRIBUTES;
            if (repeatable && !seen.add(c.kind() + "\0" + c.path())) {
                continue;
            }
            if (!repeatable) {
                seen.removeIf(k -> k.endsWith("\0" + c.path()));
            }
            out.add(c);
        }
        return out;
    }

    private void dispatch(List<Change> changes) {
        if (changes.isEmpty()) {
            return;
        }
        Map<Path, Statx> stats = new HashMap<>();
        for (Share s : shares) {
            List<HostChange> mine = new ArrayList<>();
            for (Change c : changes) {
                HostChange h = ShareChanges.forShare(s.root, s.only, s.own, c, stats);
                if (h != null) {
                    mine.add(h);
                }
            }
            if (mine.isEmpty()) {
                continue;
            }
            try {
                s.out.execute(() -> {
                    try {
                        s.sink.replay(mine);
                    } catch (Exception e) {
                        LOG.log(System.Logger.Level.DEBUG, "replay of " + mine.size() + " host changes under "
                                + s.root + " failed: " + e.getMessage());
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // the share is ending
            }
        }
    }

    /** Watches kept now, for tests and the daemon's debug output. */
    int watches() {
        lock.lock();
        try {
            return byWd.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Share s : List.copyOf(shares)) {
            unwatch(s);
        }
        Thread t = reader;
        if (t != null) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
