package dev.skiff.erofs.tree;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.Names;
import java.util.List;

/**
 * The layer's directory tree, built entry by entry with the rules of Docker's layer extraction
 * ({@code pkg/archive}: {@code createTarFile}/{@code UnpackLayer}):
 * <ul>
 *   <li>a later entry replaces an earlier one at the same path ("last wins"), except that a directory over a
 *       directory keeps the children and takes the new attributes;</li>
 *   <li>missing parents are created as 0755 root-owned directories;</li>
 *   <li>a hard link names an inode already in the tree; replacing one of its names leaves the others intact.</li>
 * </ul>
 */
public final class FileTree {
    private final Inode root = Inode.directory(0755, 0, 0);

    public Inode root() {
        return root;
    }

    /** Puts {@code node} at {@code path}, creating parents and replacing what is there. */
    public void put(List<String> path, Inode node, String entry) throws LayerException {
        if (path.isEmpty()) {
            if (!node.isDirectory()) {
                throw new LayerException(Names.display(entry), "the layer root can only be a directory");
            }
            adopt(root, node);
            return;
        }
        Inode parent = directory(path.subList(0, path.size() - 1), entry);
        String name = path.getLast();
        Inode existing = parent.children.get(name);
        if (existing == node) {
            return;
        }
        if (existing != null && existing.isDirectory() && node.isDirectory()) {
            adopt(existing, node);
            return;
        }
        parent.children.put(name, node);
        if (node.isDirectory()) {
            node.parent = parent;
        }
    }

    /** A directory entry over an existing directory: new attributes, merged xattrs, same children. */
    private static void adopt(Inode dir, Inode from) {
        dir.permissions = from.permissions;
        dir.uid = from.uid;
        dir.gid = from.gid;
        dir.mtime = from.mtime;
        dir.mtimeNsec = from.mtimeNsec;
        dir.mtimeSet = from.mtimeSet;
        dir.xattrs.putAll(from.xattrs);
        dir.opaque |= from.opaque;
    }

    /** Adds {@code path} as another name of the inode at {@code target}. */
    public void link(List<String> path, List<String> target, String entry) throws LayerException {
        Inode t = lookup(target);
        if (t == null) {
            throw new LayerException(Names.display(entry), "hard link target '" + Names.display(String.join("/",
                    target)) + "' is not in the layer (a link must follow its target)");
        }
        if (t.isDirectory()) {
            throw new LayerException(Names.display(entry), "hard link to directory '"
                    + Names.display(String.join("/", target)) + "' is not allowed");
        }
        put(path, t, entry);
    }

    /** Marks the directory at {@code path} opaque, creating it if needed. */
    public void markOpaque(List<String> path, String entry) throws LayerException {
        directory(path, entry).opaque = true;
    }

    /** The inode at {@code path}, without following symlinks, or null. */
    public Inode lookup(List<String> path) {
        Inode cur = root;
        for (String part : path) {
            if (!cur.isDirectory()) {
                return null;
            }
            cur = cur.children.get(part);
            if (cur == null) {
                return null;
            }
        }
        return cur;
    }

    /** The directory at {@code path}, creating missing ones; a non-directory on the way is an error. */
    public Inode directory(List<String> path, String entry) throws LayerException {
        Inode cur = root;
        for (int i = 0; i < path.size(); i++) {
            Inode next = cur.children.get(path.get(i));
            if (next == null) {
                next = Inode.directory(0755, 0, 0);
                next.parent = cur;
                cur.children.put(path.get(i), next);
            } else if (!next.isDirectory()) {
                throw new LayerException(Names.display(entry), "parent '" + Names.display(String.join("/",
                        path.subList(0, i + 1))) + "' is a " + next.type.name().toLowerCase() + ", not a directory");
            }
            cur = next;
        }
        return cur;
    }
}
