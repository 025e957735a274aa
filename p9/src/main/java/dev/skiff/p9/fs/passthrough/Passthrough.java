package dev.skiff.p9.fs.passthrough;

import dev.skiff.p9.fs.Attr;
import dev.skiff.p9.fs.FileSystem;
import dev.skiff.p9.fs.Node;
import dev.skiff.p9.fs.OpenFile;
import dev.skiff.p9.fs.SetAttr;
import dev.skiff.p9.fs.StatFs;
import dev.skiff.p9.wire.P9;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Files;
import dev.skiff.sys.OpenFlags;
import dev.skiff.sys.Statx;
import dev.skiff.sys.Xattrs;
import java.nio.file.Path;

/**
 * The passthrough backend: host files as they are, through Linux system calls (QEMU's
 * hw/9pfs/9p-local.c with security_model=passthrough is the model).
 *
 * <p>Containment: every node is an O_PATH descriptor. A walk step is
 * {@code openat2(dir, name, O_PATH|O_NOFOLLOW, RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS)}, so no
 * name, symlink or concurrent rename can resolve outside the directory it starts from. Creation
 * and removal are *at calls relative to a directory descriptor with a single checked name.
 * {@code ..} is resolved by the kernel and then proven to lie under the root (see
 * {@link #walk}). Operations on a node itself go through its descriptor, or through
 * {@code /proc/self/fd/N}, which names exactly that inode and resolves nothing the client chose.
 *
 * <p>Ownership: when the server runs as root, created files get the attaching user's uid and the
 * gid the client sent, as QEMU's passthrough model does; otherwise they keep the server's.
 * Modes are applied exactly (the process umask is undone with an explicit chmod).
 */
public final class Passthrough implements FileSystem {
    private static final long BENEATH = Fds.RESOLVE_BENEATH | Fds.RESOLVE_NO_MAGICLINKS;
    private static final int PATH_FLAGS = OpenFlags.O_PATH | OpenFlags.O_NOFOLLOW;

    private final FdNode root;
    private final boolean root_user = Fds.geteuid() == 0;
    private final int umask;

    /** Opens {@code dir} as the export root. */
    public Passthrough(Path dir) throws ErrnoException {
        String p = dir.toAbsolutePath().normalize().toString();
        int fd = Fds.openat2(Fds.AT_FDCWD, p, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, 0);
        root = new FdNode(fd, Files.fstatx(fd));
        int u = Fds.umask(022);
        Fds.umask(u);
        umask = u;
    }

    private static FdNode fd(Node n) {
        return (FdNode) n;
    }

    @Override
    public Node root() {
        return root;
    }

    private FdNode lookup(int dirfd, String name) throws ErrnoException {
        int fd = Fds.openat2(dirfd, name, PATH_FLAGS, 0, BENEATH);
        try {
            return new FdNode(fd, Files.fstatx(fd));
        } catch (ErrnoException e) {
            Fds.close(fd);
            throw e;
        }
    }

    /**
     * {@code ..} of a node other than the root is opened without RESOLVE_BENEATH (which refuses
     * any {@code ..}); the result is then checked by statx of {@code ..}, {@code ../..}, ...
     * until the root's identity is met. Reaching the host's / first means the node was moved
     * out of the export by the host: EACCES.
     */
    @Override
    public Node walk(Node dir, String name) throws ErrnoException {
        FdNode d = fd(dir);
        if (!name.equals("..")) {
            return lookup(d.fd, name);
        }
        if (d.dev() == root.dev() && d.ino() == root.ino()) {
            return lookup(root.fd, ".");
        }
        FdNode parent = lookup0(d.fd);
        StringBuilder up = new StringBuilder(".");
        for (int depth = 0; depth < 2048; depth++) {
            Statx st = Files.statx(parent.fd, up.toString(), Files.AT_SYMLINK_NOFOLLOW);
            if (st.dev() == root.dev() && st.ino() == root.ino()) {
                return parent;
            }
            Statx above = Files.statx(parent.fd, up + "/..", Files.AT_SYMLINK_NOFOLLOW);
            if (above.dev() == st.dev() && above.ino() == st.ino()) {
                break;
            }
            up.append("/..");
        }
        parent.close();
        throw new ErrnoException("walk", "..", Errno.EACCES);
    }

    private static FdNode lookup0(int dirfd) throws ErrnoException {
        int fd = Fds.openat2(dirfd, "..", OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, Fds.RESOLVE_NO_MAGICLINKS);
        try {
            return new FdNode(fd, Files.fstatx(fd));
        } catch (ErrnoException e) {
            Fds.close(fd);
            throw e;
        }
    }

    @Override
    public Attr getattr(Node node) throws ErrnoException {
        Statx s = Files.fstatx(fd(node).fd);
        return new Attr(s.dev(), s.ino(), s.mode(), s.uid(), s.gid(), Integer.toUnsignedLong(s.nlink()),
                Statx.makedev(s.rdevMajor(), s.rdevMinor()), s.size(), Integer.toUnsignedLong(s.blksize()),
                s.blocks(), s.atimeSec(), s.atimeNsec(), s.mtimeSec(), s.mtimeNsec(), s.ctimeSec(),
                s.ctimeNsec(), s.btimeSec(), s.btimeNsec(), (s.mask() & Statx.STATX_BTIME) != 0);
    }

    /** In QEMU's order (v9fs_setattr): mode, owner, size, times. */
    @Override
    public void setattr(Node node, SetAttr a) throws ErrnoException {
        FdNode n = fd(node);
        if (a.has(P9.SETATTR_MODE)) {
            if (n.isSymlink()) {
                throw new ErrnoException("chmod", "symlink", Errno.EOPNOTSUPP);
            }
            Files.chmod(n.procPath(), a.mode() & 07777);
        }
        if (a.has(P9.SETATTR_UID) || a.has(P9.SETATTR_GID)) {
            Files.fchownat(n.fd, "", a.has(P9.SETATTR_UID) ? a.uid() : -1,
                    a.has(P9.SETATTR_GID) ? a.gid() : -1, Files.AT_EMPTY_PATH | Files.AT_SYMLINK_NOFOLLOW);
        }
        if (a.has(P9.SETATTR_SIZE)) {
            if (n.isDir()) {
                throw new ErrnoException("truncate", "directory", Errno.EISDIR);
            }
            if (n.fileType() != Statx.S_IFREG) {
                throw new ErrnoException("truncate", "special file", Errno.EINVAL);
            }
            Files.truncate(n.procPath(), a.size());
        }
        if (a.has(P9.SETATTR_ATIME) || a.has(P9.SETATTR_MTIME)) {
            long as = 0, an = Files.UTIME_OMIT, ms = 0, mn = Files.UTIME_OMIT;
            if (a.has(P9.SETATTR_ATIME)) {
                as = a.atimeSec();
                an = a.has(P9.SETATTR_ATIME_SET) ? a.atimeNsec() : Files.UTIME_NOW;
            }
            if (a.has(P9.SETATTR_MTIME)) {
                ms = a.mtimeSec();
                mn = a.has(P9.SETATTR_MTIME_SET) ? a.mtimeNsec() : Files.UTIME_NOW;
            }
            Files.utimensat(n.fd, "", as, an, ms, mn, Files.AT_EMPTY_PATH | Files.AT_SYMLINK_NOFOLLOW);
        }
    }

    /**
     * Re-opens the node's inode through /proc/self/fd/N. O_NOFOLLOW is satisfied already (a
     * symlink node gives ELOOP here) and is dropped, since the /proc entry is itself a link.
     * O_DIRECT is honoured; where the host file system refuses it (EINVAL at open) the file is
     * opened without it, the emulation QEMU also falls back to.
     *
     * <p>Device nodes are never opened on the host (EPERM): a guest that may mknod would
     * otherwise read the host's devices (c 1 1 is /dev/mem). The Linux client opens special
     * files in the guest, never through the server. A fifo is always opened O_NONBLOCK, so that
     * no request can sit in open(2) holding a carrier thread until a writer appears.
     */
    @Override
    public OpenFile open(Node node, int dotlFlags) throws ErrnoException {
        FdNode n = fd(node);
        if (n.isSymlink()) {
            throw new ErrnoException("open", "symlink", Errno.ELOOP);
        }
        if (n.fileType() == Statx.S_IFCHR || n.fileType() == Statx.S_IFBLK) {
            throw new ErrnoException("open", "device node " + n, Errno.EPERM);
        }
        int flags = HostFlags.of(dotlFlags) & ~(OpenFlags.O_NOFOLLOW | OpenFlags.O_CREAT | OpenFlags.O_EXCL);
        if (n.fileType() == Statx.S_IFIFO) {
            flags |= OpenFlags.O_NONBLOCK;
        }
        return new FdFile(openDirectFallback(Fds.AT_FDCWD, n.procPath(), flags, 0, 0));
    }

    private static int openDirectFallback(int dirfd, String path, int flags, int mode, long resolve)
            throws ErrnoException {
        try {
            return Fds.openat2(dirfd, path, flags, mode, resolve);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EINVAL && (flags & OpenFlags.O_DIRECT) != 0) {
                return Fds.openat2(dirfd, path, flags & ~OpenFlags.O_DIRECT, mode, resolve);
            }
            throw e;
        }
    }

    @Override
    public Created create(Node dir, String name, int dotlFlags, int mode, int uid, int gid)
            throws ErrnoException {
        FdNode d = fd(dir);
        int flags = HostFlags.of(dotlFlags) | OpenFlags.O_CREAT | OpenFlags.O_NOFOLLOW;
        int fd = openDirectFallback(d.fd, name, flags, mode & 07777, BENEATH);
        FdFile file = new FdFile(fd);
        try {
            FdNode node = lookup(d.fd, name);
            try {
                own(node, mode, uid, gid);
                return new Created(node, file);
            } catch (ErrnoException e) {
                node.close();
                throw e;
            }
        } catch (ErrnoException e) {
            file.close();
            throw e;
        }
    }

    @Override
    public Node mkdir(Node dir, String name, int mode, int uid, int gid) throws ErrnoException {
        FdNode d = fd(dir);
        Files.mkdirat(d.fd, name, mode & 07777);
        return owned(d, name, mode, uid, gid);
    }

    @Override
    public Node symlink(Node dir, String name, String target, int uid, int gid) throws ErrnoException {
        FdNode d = fd(dir);
        Files.symlinkat(target, d.fd, name);
        FdNode n = lookup(d.fd, name);
        if (root_user && (uid != -1 || gid != -1)) {
            try {
                Files.fchownat(n.fd, "", uid, gid, Files.AT_EMPTY_PATH | Files.AT_SYMLINK_NOFOLLOW);
            } catch (ErrnoException e) {
                n.close();
                throw e;
            }
        }
        return n;
    }

    @Override
    public Node mknod(Node dir, String name, int mode, int major, int minor, int uid, int gid)
            throws ErrnoException {
        FdNode d = fd(dir);
        int type = mode & Statx.S_IFMT;
        if (type == Statx.S_IFDIR || type == Statx.S_IFLNK) {
            throw new ErrnoException("mknodat", name, Errno.EINVAL);
        }
        Files.mknodat(d.fd, name, mode, Statx.makedev(major, minor));
        return owned(d, name, mode, uid, gid);
    }

    private FdNode owned(FdNode d, String name, int mode, int uid, int gid) throws ErrnoException {
        FdNode n = lookup(d.fd, name);
        try {
            own(n, mode, uid, gid);
            return n;
        } catch (ErrnoException e) {
            n.close();
            throw e;
        }
    }

    /**
     * Sets the owner (as root) and undoes the process umask on a node just created. The chown is
     * skipped when the node already has the owner asked for (the common case of a root client
     * of a root server), which saves a system call per create.
     */
    private void own(FdNode n, int mode, int uid, int gid) throws ErrnoException {
        boolean owned = (uid == -1 || uid == n.uid) && (gid == -1 || gid == n.gid);
        if (root_user && !owned) {
            Files.fchownat(n.fd, "", uid, gid, Files.AT_EMPTY_PATH | Files.AT_SYMLINK_NOFOLLOW);
        }
        if ((mode & umask & 0777) != 0 || (mode & 07000) != 0) {
            Files.chmod(n.procPath(), mode & 07777);
        }
    }

    /** linkat through /proc/self/fd with AT_SYMLINK_FOLLOW: the usual unprivileged way to link an O_PATH descriptor. */
    @Override
    public void link(Node target, Node dir, String name) throws ErrnoException {
        FdNode t = fd(target);
        if (t.isDir()) {
            throw new ErrnoException("linkat", name, Errno.EPERM);
        }
        Files.linkat(Fds.AT_FDCWD, t.procPath(), fd(dir).fd, name, Files.AT_SYMLINK_FOLLOW);
    }

    @Override
    public void rename(Node oldDir, String oldName, Node newDir, String newName) throws ErrnoException {
        Files.renameat2(fd(oldDir).fd, oldName, fd(newDir).fd, newName, 0);
    }

    @Override
    public void unlink(Node dir, String name, boolean removeDir) throws ErrnoException {
        Files.unlinkat(fd(dir).fd, name, removeDir ? Files.AT_REMOVEDIR : 0);
    }

    @Override
    public String readlink(Node node) throws ErrnoException {
        FdNode n = fd(node);
        if (!n.isSymlink()) {
            throw new ErrnoException("readlink", n.toString(), Errno.EINVAL);
        }
        return Files.readlinkat(n.fd, "");
    }

    @Override
    public StatFs statfs(Node node) throws ErrnoException {
        dev.skiff.sys.StatFs s = Fds.fstatfs(fd(node).fd);
        return new StatFs(s.type(), s.bsize(), s.blocks(), s.bfree(), s.bavail(), s.files(), s.ffree(),
                s.fsid(), s.namelen());
    }

    /*
     * Extended attributes go through /proc/self/fd/N with the following variants: the magic link
     * leads to the node's own inode (for a symlink node, the link itself), never to a
     * client-chosen path.
     */
    @Override
    public byte[] getxattr(Node node, String name) throws ErrnoException {
        return Xattrs.get(fd(node).procPath(), name, true);
    }

    @Override
    public byte[] listxattr(Node node) throws ErrnoException {
        return Xattrs.list(fd(node).procPath(), true);
    }

    @Override
    public void setxattr(Node node, String name, byte[] value, int flags) throws ErrnoException {
        Xattrs.set(fd(node).procPath(), name, value, flags, true);
    }

    @Override
    public void removexattr(Node node, String name) throws ErrnoException {
        Xattrs.remove(fd(node).procPath(), name, true);
    }

    @Override
    public void close() {
        root.close();
    }
}
