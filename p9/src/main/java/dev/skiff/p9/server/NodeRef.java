package dev.skiff.p9.server;

import dev.skiff.p9.fs.Node;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reference-counted {@link Node}: fids that share a node (a cloning walk, a fid's parent)
 * share one host handle, closed when the last reference goes. The root node belongs to the
 * file system and is never closed here.
 */
final class NodeRef {
    final Node node;
    private final boolean closeable;
    private final AtomicInteger refs = new AtomicInteger(1);

    NodeRef(Node node, boolean closeable) {
        this.node = node;
        this.closeable = closeable;
    }

    NodeRef retain() {
        refs.incrementAndGet();
        return this;
    }

    void release() {
        if (refs.decrementAndGet() == 0 && closeable) {
            node.close();
        }
    }
}
