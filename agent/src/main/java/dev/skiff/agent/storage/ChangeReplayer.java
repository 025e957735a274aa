package dev.skiff.agent.storage;

import dev.skiff.agent.api.FileChange;
import dev.skiff.agent.api.ReplayChangesRequest;
import dev.skiff.agent.api.ReplayChangesResponse;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Files;
import dev.skiff.sys.OpenFlags;
import dev.skiff.sys.Statx;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;

/**
 * Performs the changes the host saw in a share's folder again, through this guest's mount of the
 * share, so that the guest kernel raises the inotify events that containers watching their bind
 * mounts wait for. The host's 9P server expects each operation and acknowledges it without
 * touching the host (dev.skiff.p9.fs.replay), so a replay changes nothing there.
 *
 * <p>Every path is resolved beneath the mount without following a symlink (openat2 with
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), and the last step is done with an *at call on the
 * parent, so a container that swaps a folder for a link cannot point a replay elsewhere in the
 * guest. Only regular files and folders are opened or have their mode set.
 */
final class ChangeReplayer {
    static final int MAX_CHANGES = 1024;
    private static final long BENEATH = Fds.RESOLVE_BENEATH | Fds.RESOLVE_NO_SYMLINKS | Fds.RESOLVE_NO_MAGICLINKS;
    private static final int S_IFMT = 0170000, S_IFREG = 0100000, S_IFDIR = 0040000;

    private ChangeReplayer() {}

    /** Performs the changes in order; {@code pins} (null for none) follow the folders made, moved and removed. */
    static ReplayChangesResponse replay(Storage share, FolderPins pins, ReplayChangesRequest q) throws TtrpcException {
        if (share.readOnly()) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, "storage " + share.id() + " is mounted read-only");
        }
        if (q.getChangesCount() > MAX_CHANGES) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, q.getChangesCount() + " changes in one call; at most "
                    + MAX_CHANGES);
        }
        int root;
        try {
            root = Fds.openat2(Fds.AT_FDCWD, share.guestPath(), OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, 0);
        } catch (ErrnoException e) {
            throw new TtrpcException(Code.NOT_FOUND, "share " + share.id() + ": " + e.getMessage());
        }
        ReplayChangesResponse.Builder out = ReplayChangesResponse.newBuilder();
        int done = 0;
        try {
            for (FileChange c : q.getChangesList()) {
                try {
                    one(root, c);
                    if (pins != null && c.getDirectory()) {
                        switch (c.getKind()) {
                            case CREATED -> pins.holdTree(c.getPath());
                            case DELETED -> pins.release(c.getPath());
                            case MOVED -> pins.moved(c.getPath(), c.getToPath());
                            default -> { }
                        }
                    }
                    done++;
                } catch (ErrnoException | IllegalArgumentException e) {
                    out.addFailed(c.getKind() + " " + c.getPath() + ": " + e.getMessage());
                }
            }
        } finally {
            Fds.closeQuietly(root);
        }
        return out.setDone(done).build();
    }

    private static void one(int root, FileChange c) throws ErrnoException {
        Parent at = parent(root, c.getPath());
        try {
            switch (c.getKind()) {
                case CREATED -> {
                    if (c.getDirectory()) {
                        Files.mkdirat(at.fd, at.name, 0755);
                    } else {
                        Files.mknodat(at.fd, at.name, S_IFREG | 0644, 0);
                    }
                }
                case DELETED -> Files.unlinkat(at.fd, at.name, c.getDirectory() ? Files.AT_REMOVEDIR : 0);
                case MOVED -> {
                    Parent to = parent(root, c.getToPath());
                    try {
                        Files.renameat2(at.fd, at.name, to.fd, to.name, 0);
                    } finally {
                        Fds.closeQuietly(to.fd);
                    }
                }
                // mtime alone set: the guest's VFS reports IN_MODIFY (fsnotify_change)
                case MODIFIED -> Files.utimensat(at.fd, at.name, 0, Files.UTIME_OMIT, 0, Files.UTIME_NOW,
                        Files.AT_SYMLINK_NOFOLLOW);
                case WRITTEN -> written(at);
                case ATTRIBUTES_CHANGED -> attributes(at);
                default -> throw new IllegalArgumentException("unknown kind");
            }
        } finally {
            Fds.closeQuietly(at.fd);
        }
    }

    /** Opens a regular file for writing and closes it: IN_OPEN, then IN_CLOSE_WRITE. */
    private static void written(Parent at) throws ErrnoException {
        int fd = Fds.openat2(at.fd, at.name, OpenFlags.O_PATH | OpenFlags.O_NOFOLLOW, 0, BENEATH);
        try {
            if ((Files.fstatx(fd).mode() & S_IFMT) != S_IFREG) {
                return; // a fifo would block, a device is the guest's own
            }
        } finally {
            Fds.closeQuietly(fd);
        }
        int w = Fds.openat2(at.fd, at.name, OpenFlags.O_WRONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_NONBLOCK
                | OpenFlags.O_NOCTTY, 0, BENEATH);
        Fds.closeQuietly(w);
    }

    /** Sets the mode the file already has: IN_ATTRIB. */
    private static void attributes(Parent at) throws ErrnoException {
        int fd = Fds.openat2(at.fd, at.name, OpenFlags.O_PATH | OpenFlags.O_NOFOLLOW, 0, BENEATH);
        try {
            Statx st = Files.fstatx(fd);
            int type = st.mode() & S_IFMT;
            if (type == S_IFREG || type == S_IFDIR) {
                Files.chmod(Fds.procPath(fd), st.mode() & 07777);
            }
        } finally {
            Fds.closeQuietly(fd);
        }
    }

    /** The open parent folder of a relative path, and its last name. */
    private record Parent(int fd, String name) {}

    private static Parent parent(int root, String path) throws ErrnoException {
        if (!valid(path)) {
            throw new IllegalArgumentException("not a relative path without '.' or '..' parts");
        }
        int slash = path.lastIndexOf('/');
        String dir = slash < 0 ? "." : path.substring(0, slash);
        int fd = Fds.openat2(root, dir, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, BENEATH);
        return new Parent(fd, path.substring(slash + 1));
    }

    static boolean valid(String path) {
        if (path.isEmpty() || path.length() > 4096 || path.startsWith("/") || path.indexOf('\0') >= 0) {
            return false;
        }
        for (String part : path.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

}
