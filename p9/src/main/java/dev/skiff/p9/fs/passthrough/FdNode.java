package dev.skiff.p9.fs.passthrough;

import dev.skiff.p9.fs.Node;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Statx;

/** A passthrough node: an O_PATH|O_NOFOLLOW descriptor and the identity statx gave for it. */
final class FdNode implements Node {
    final int fd;
    private final long dev;
    private final long ino;
    private final int type;
    /** The owner when the node was opened (kept to skip a needless chown of a new file). */
    final int uid, gid;
    private volatile boolean closed;

    FdNode(int fd, Statx st) {
        this.fd = fd;
        this.dev = st.dev();
        this.ino = st.ino();
        this.type = st.type();
        this.uid = st.uid();
        this.gid = st.gid();
    }

    @Override
    public long dev() {
        return dev;
    }

    @Override
    public long ino() {
        return ino;
    }

    @Override
    public int fileType() {
        return type;
    }

    boolean isDir() {
        return type == Statx.S_IFDIR;
    }

    boolean isSymlink() {
        return type == Statx.S_IFLNK;
    }

    String procPath() {
        return Fds.procPath(fd);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            try {
                Fds.close(fd);
            } catch (ErrnoException ignored) {
                // close(2) of an O_PATH descriptor cannot lose data
            }
        }
    }

    @Override
    public String toString() {
        return "fd " + fd + " (ino " + ino + ")";
    }
}
