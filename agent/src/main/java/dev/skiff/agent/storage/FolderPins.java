package dev.skiff.agent.storage;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.OpenFlags;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The folders of a 9P share, each held open (O_PATH) by the agent, so that an inotify watch on any
 * of them keeps hearing replayed changes.
 *
 * <p>Why: the guest mounts shares with {@code cache=mmap}, under which v9fs drops a dentry as soon
 * as nothing uses it and gives the next lookup of the same path a new inode (fs/9p:
 * {@code always_delete_dentry}, {@code v9fs_get_new_inode_from_fid}). A watch sits on the inode
 * its lookup made; a later replay, looking the folder up again, would change a different inode
 * and the watcher would hear nothing. A folder held open keeps its dentry, so every lookup of its
 * path, the watcher's and the replay's, meets the same inode. The share's root is held by the
 * mount itself.
 *
 * <p>Held: the folders found when the share is mounted (walked in the background), folders a
 * replay makes or moves in; let go: folders a replay removes. At most {@link #MAX} folders. A
 * folder a container makes itself is not held (nothing tells the agent in time).
 */
final class FolderPins implements AutoCloseable {
    static final int MAX = 16_384;
    private static final long BENEATH = Fds.RESOLVE_BENEATH | Fds.RESOLVE_NO_SYMLINKS | Fds.RESOLVE_NO_MAGICLINKS;
    private static final int DT_DIR = 4;

    private final String id;
    private final int root;
    private final Map<String, Integer> held = new HashMap<>(); // relative path -> O_PATH fd; guarded by this
    private boolean closed;
    private boolean limitLogged;
    private volatile Thread walker;

    /** Holds the share mounted at {@code guestPath}; {@link #holdTree} fills it. */
    FolderPins(String id, String guestPath) throws ErrnoException {
        this.id = id;
        this.root = Fds.openat2(Fds.AT_FDCWD, guestPath, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, 0);
    }

    /**
     * Holds every folder of the share, on a thread of its own (a large tree takes a while over 9P;
     * a platform thread, since each step waits in a downcall).
     */
    void holdAllInBackground() {
        walker = Thread.ofPlatform().daemon().name("pins-" + id).start(() -> {
            try {
                // the first replay's calls are dev.skiff.sys.Files': making their downcall handles
                // takes most of a second under emulation, so make them now rather than then
                dev.skiff.sys.Files.fstatx(root);
            } catch (ErrnoException ignored) {
                // the walk below meets the same error
            }
            holdTree("");
        });
    }

    /** Holds {@code rel} ("" for the root) and every folder below it, breadth first, up to the limit. */
    void holdTree(String rel) {
        Deque<String> todo = new ArrayDeque<>();
        if (!rel.isEmpty()) {
            if (!hold(rel)) {
                return;
            }
        }
        todo.add(rel);
        while (!todo.isEmpty()) {
            String dir = todo.poll();
            List<String> subs;
            synchronized (this) {
                if (closed) {
                    return;
                }
            }
            try {
                subs = subfolders(dir);
            } catch (ErrnoException e) {
                continue; // gone meanwhile, or unreadable
            }
            for (String name : subs) {
                String child = dir.isEmpty() ? name : dir + "/" + name;
                if (!hold(child)) {
                    return;
                }
                todo.add(child);
            }
        }
    }

    /** Holds one folder; false when the limit is reached or the pins are closed. */
    synchronized boolean hold(String rel) {
        if (closed) {
            return false;
        }
        if (held.containsKey(rel)) {
            return true;
        }
        if (held.size() >= MAX) {
            if (!limitLogged) {
                limitLogged = true;
                dev.skiff.guest.Main.log("share " + id + ": more than " + MAX
                        + " folders; inotify watches below the first " + MAX + " may miss host changes");
            }
            return false;
        }
        try {
            held.put(rel, Fds.openat2(root, rel, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY | OpenFlags.O_NOFOLLOW, 0,
                    BENEATH));
        } catch (ErrnoException e) {
            // not a folder (any more): nothing to hold
        }
        return true;
    }

    /** Lets go of {@code rel} and every folder held below it (a replay removed it). */
    synchronized void release(String rel) {
        held.entrySet().removeIf(e -> {
            if (e.getKey().equals(rel) || e.getKey().startsWith(rel + "/")) {
                Fds.closeQuietly(e.getValue());
                return true;
            }
            return false;
        });
    }

    /** A held folder renamed by a replay: its descriptors stay valid (the dentry moved), their names change. */
    synchronized void moved(String from, String to) {
        Map<String, Integer> renamed = new HashMap<>();
        held.entrySet().removeIf(e -> {
            String k = e.getKey();
            if (k.equals(from) || k.startsWith(from + "/")) {
                renamed.put(to + k.substring(from.length()), e.getValue());
                return true;
            }
            return false;
        });
        renamed.forEach((k, fd) -> {
            Integer old = held.put(k, fd);
            if (old != null) {
                Fds.closeQuietly(old);
            }
        });
    }

    synchronized int size() {
        return held.size();
    }

    /** The names of the folders directly in {@code rel}, from the entries' types (no stat per entry). */
    private List<String> subfolders(String rel) throws ErrnoException {
        int fd = Fds.openat2(root, rel.isEmpty() ? "." : rel, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY
                | OpenFlags.O_NOFOLLOW, 0, BENEATH);
        List<String> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(32 * 1024);
            while (true) {
                long n = Fds.getdents64(fd, buf, buf.byteSize());
                if (n <= 0) {
                    return out;
                }
                byte[] a = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                for (int p = 0; p < n; ) {
                    int reclen = (a[p + 16] & 0xff) | (a[p + 17] & 0xff) << 8;
                    int type = a[p + 18];
                    int start = p + 19, end = start;
                    while (end < p + reclen && a[end] != 0) {
                        end++;
                    }
                    String name = new String(a, start, end - start, StandardCharsets.UTF_8);
                    if (type == DT_DIR && !name.equals(".") && !name.equals("..")) {
                        out.add(name);
                    }
                    p += reclen;
                }
            }
        } finally {
            Fds.closeQuietly(fd);
        }
    }

    /** Lets go of every folder and the root, after the background walk has stopped (it uses the root). */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        Thread w = walker;
        if (w != null) {
            try {
                w.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            held.values().forEach(Fds::closeQuietly);
            held.clear();
            Fds.closeQuietly(root);
        }
    }

}
