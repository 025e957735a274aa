package dev.skiff.virtiofs.server;

import dev.skiff.p9.fs.Node;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.virtiofs.wire.Fuse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Node ids the guest kernel knows: nodeid to {@link Node}, with the kernel's lookup count (each
 * entry reply adds one; FORGET takes them back) and our own count of requests using the node,
 * so that a FORGET racing a request never closes a descriptor in use (its number could be
 * reused under the request). A node is closed when both counts are zero.
 *
 * <p>The same host file ({@code dev}, {@code ino}) always has the same node id while the kernel
 * knows it. Ids are never reused (a 64-bit counter), so the generation is always 0: a new file
 * on a reused inode number gets a new id, never an old id with a new generation.
 *
 * <p>An unknown or forgotten node id is ESTALE: the guest holds a handle the server no longer
 * has, which is what ESTALE says (virtiofsd answers EBADF, which the guest's callers read as a bad
 * descriptor of theirs).
 */
final class NodeTable {
    private record Key(long dev, long ino) {}

    private static final class Entry {
        final long id;
        final Node node;
        long lookups;
        int users;

        Entry(long id, Node node) {
            this.id = id;
            this.node = node;
        }
    }

    /** A node in use by one request; closing it ends the use. */
    final class Ref implements AutoCloseable {
        private final Entry e;

        private Ref(Entry e) {
            this.e = e;
        }

        Node node() {
            return e.node;
        }

        long id() {
            return e.id;
        }

        @Override
        public void close() {
            synchronized (NodeTable.this) {
                e.users--;
                closeIfUnused(e);
            }
        }
    }

    private final Entry root;
    private final int max;
    private final Map<Long, Entry> byId = new HashMap<>();
    private final Map<Key, Entry> byInode = new HashMap<>();
    private long nextId = Fuse.ROOT_ID + 1;

    NodeTable(Node root, int max) {
        this.root = new Entry(Fuse.ROOT_ID, root);
        this.max = max;
        byId.put(Fuse.ROOT_ID, this.root);
        byInode.put(new Key(root.dev(), root.ino()), this.root);
    }

    synchronized Ref acquire(long nodeid) throws ErrnoException {
        Entry e = byId.get(nodeid);
        if (e == null) {
            throw new ErrnoException("find", "node id " + Long.toUnsignedString(nodeid), Errno.ESTALE);
        }
        e.users++;
        return new Ref(e);
    }

    /**
     * Takes {@code node} (just looked up or created) into the table and counts one lookup; returns
     * its node id. If its file is known already, {@code node} is closed and the known id returned.
     */
    synchronized long remember(Node node) throws ErrnoException {
        Key k = new Key(node.dev(), node.ino());
        Entry e = byInode.get(k);
        if (e != null) {
            if (e.node != node) {
                node.close();
            }
        } else {
            if (byId.size() >= max) {
                node.close();
                throw new ErrnoException("remember", "node (" + max + " known)", Errno.ENFILE);
            }
            e = new Entry(nextId++, node);
            byId.put(e.id, e);
            byInode.put(k, e);
        }
        e.lookups++;
        return e.id;
    }

    /** One more lookup on a known node (LINK answers with the linked node's entry). */
    synchronized void lookedUp(Ref ref) {
        ref.e.lookups++;
    }

    /** FORGET: the kernel drops {@code n} lookups. The root is never forgotten. */
    synchronized void forget(long nodeid, long n) {
        Entry e = byId.get(nodeid);
        if (e == null || e == root) {
            return;
        }
        e.lookups = Long.compareUnsigned(n, e.lookups) >= 0 ? 0 : e.lookups - n;
        closeIfUnused(e);
    }

    /** DESTROY or the session's end: every lookup is dropped; nodes in use close when their request ends. */
    synchronized void clear() {
        for (Entry e : List.copyOf(byId.values())) {
            if (e != root) {
                e.lookups = 0;
                closeIfUnused(e);
            }
        }
    }

    synchronized int size() {
        return byId.size();
    }

    private void closeIfUnused(Entry e) {
        if (e.lookups == 0 && e.users == 0 && e != root) {
            if (byId.remove(e.id) != null) {
                byInode.remove(new Key(e.node.dev(), e.node.ino()));
                e.node.close();
            }
        }
    }
}
