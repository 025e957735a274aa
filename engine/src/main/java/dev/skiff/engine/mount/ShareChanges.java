package dev.skiff.engine.mount;

import dev.skiff.p9.fs.replay.HostChange;
import dev.skiff.p9.fs.replay.Echoes;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Files;
import dev.skiff.sys.Statx;
import java.nio.file.Path;
import java.util.Map;

/**
 * What one share's guest is to replay of a change the host watch saw: the change with paths
 * relative to the share's root, or nothing when it happened outside the root or is the echo of
 * the share's own guest's work (a name or file its server changed moments ago), or, for the bind
 * of one file, about another name.
 */
final class ShareChanges {
    private ShareChanges() {}

    /** The change as the share's guest must replay it, or null: outside its root, or its own echo. */
    static HostChange forShare(Path root, String only, Echoes own, HostWatch.Change c,
            Map<Path, Statx> stats) {
        if (only != null && !root.resolve(only).equals(c.path()) && (c.to() == null || !root.resolve(only).equals(c.to()))) {
            return null; // the bind of one file hears that file only
        }
        boolean fromIn = c.path().startsWith(root) && !c.path().equals(root);
        if (c.kind() == HostWatch.Kind.MOVED) {
            boolean toIn = c.to().startsWith(root) && !c.to().equals(root);
            if (fromIn && toIn) {
                if (ownRemoval(own, c.folder(), c.path()) && own(own, c.toFolder(), c.to())) {
                    return null;
                }
                return new HostChange.Moved(rel(root, c.path()), rel(root, c.to()), c.directory());
            }
            if (fromIn) {
                return ownRemoval(own, c.folder(), c.path()) ? null : new HostChange.Deleted(rel(root, c.path()), c.directory());
            }
            if (toIn) {
                return own(own, c.toFolder(), c.to()) ? null : new HostChange.Created(rel(root, c.to()), c.directory());
            }
            return null;
        }
        if (!fromIn) {
            return null;
        }
        String rel = rel(root, c.path());
        return switch (c.kind()) {
            case CREATED -> own(own, c.folder(), c.path()) ? null : new HostChange.Created(rel, c.directory());
            case DELETED -> ownRemoval(own, c.folder(), c.path()) ? null : new HostChange.Deleted(rel, c.directory());
            case MODIFIED -> ownFile(own, c.folder(), c.path(), stats) ? null : new HostChange.Modified(rel);
            case WRITTEN -> ownFile(own, c.folder(), c.path(), stats) ? null : new HostChange.Written(rel);
            case ATTRIBUTES -> ownFile(own, c.folder(), c.path(), stats) ? null : new HostChange.AttributesChanged(rel);
            case MOVED -> null;
        };
    }

    private static String rel(Path root, Path p) {
        return root.relativize(p).toString();
    }

    /** Whether the share's own server made this name. */
    private static boolean own(Echoes own, HostWatch.Folder folder, Path p) {
        return folder != null && own.addedName(folder.dev, folder.ino, p.getFileName().toString());
    }

    /** Whether the share's own server removed this name. */
    private static boolean ownRemoval(Echoes own, HostWatch.Folder folder, Path p) {
        return folder != null && own.removedName(folder.dev, folder.ino, p.getFileName().toString());
    }

    private static boolean ownFile(Echoes own, HostWatch.Folder folder, Path p, Map<Path, Statx> stats) {
        if (own(own, folder, p)) {
            return true; // a file the share's server just made: what it did to it next (its owner) is its own too
        }
        Statx st = stats.computeIfAbsent(p, k -> {
            try {
                return Files.statx(Fds.AT_FDCWD, k.toString(), Files.AT_SYMLINK_NOFOLLOW);
            } catch (ErrnoException e) {
                return null;
            }
        });
        // a file gone already needs no replay of its content: its deletion follows
        return st == null || own.changedFile(st.dev(), st.ino());
    }
}
