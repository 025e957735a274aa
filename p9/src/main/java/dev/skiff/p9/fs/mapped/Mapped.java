package dev.skiff.p9.fs.mapped;

import static dev.skiff.p9.fs.mapped.NioErrors.io;
import static dev.skiff.p9.fs.mapped.NioErrors.run;

import dev.skiff.p9.fs.Attr;
import dev.skiff.p9.fs.FileSystem;
import dev.skiff.p9.fs.Node;
import dev.skiff.p9.fs.OpenFile;
import dev.skiff.p9.fs.SetAttr;
import dev.skiff.p9.fs.StatFs;
import dev.skiff.p9.wire.P9;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Statx;
import dev.skiff.sys.Xattrs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The mapped backend, in the spirit of QEMU's security_model=mapped-xattr: files are plain host
 * files created with the server's own identity, and what the host cannot or may not store
 * (mode, owner, device numbers, file types other than directory and regular file) lives in
 * {@code user.virtfs.*} extended attributes beside them (see {@link Metadata}). A symlink is a
 * regular file holding its target; a device, fifo or socket is an empty regular file with its
 * type and rdev in metadata. Clients see and set only their own {@code user.*} attributes.
 *
 * <p>Portable by construction: only java.nio.file, so it serves from Linux, macOS or Windows
 * hosts, unprivileged, and from file systems such as ntfs-3g.
 *
 * <p>Limits, by design of a path-based backend: host symlinks are never followed (every call
 * uses NOFOLLOW_LINKS and walks single components), but a host process that swaps a directory
 * for a symlink between two calls is not guarded against as openat2 guards passthrough. Nodes
 * are paths, so a directory renamed by another fid leaves walked descendants stale (ENOENT)
 * until walked again. Locks are kept in the server ({@link LockTable}): they conflict between
 * clients, not with host processes. O_DIRECT, O_NOATIME and O_NONBLOCK are accepted and ignored.
 */
public final class Mapped implements FileSystem {
    private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;
    private static final int DEFAULT_DIR = Statx.S_IFDIR | 0755, DEFAULT_FILE = Statx.S_IFREG | 0644;

    private final Path rootPath;
    private final MappedNode root;
    private final boolean unix;
    final LockTable locks = new LockTable();

    public Mapped(Path dir) throws IOException {
        rootPath = dir.toAbsolutePath().normalize();
        unix = rootPath.getFileSystem().supportedFileAttributeViews().contains("unix");
        Metadata.view(rootPath).list();
        root = lookup(rootPath);
    }

    @Override
    public Node root() {
        return root;
    }

    private static MappedNode node(Node n) {
        return (MappedNode) n;
    }

    /** Identity and effective type of a host path, never following a symlink. */
    MappedNode lookup(Path p) throws IOException {
        BasicFileAttributes b = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
        int type = b.isDirectory() ? Statx.S_IFDIR : b.isSymbolicLink() ? Statx.S_IFLNK
                : b.isRegularFile() ? Statx.S_IFREG : Statx.S_IFREG;
        if (type == Statx.S_IFREG) {
            long mode = Metadata.get(p, Metadata.MODE, -1);
            if (mode >= 0 && (mode & Statx.S_IFMT) != 0) {
                type = (int) mode & Statx.S_IFMT;
            }
        }
        long dev, ino;
        if (unix) {
            dev = ((Number) Files.getAttribute(p, "unix:dev", NOFOLLOW)).longValue();
            ino = ((Number) Files.getAttribute(p, "unix:ino", NOFOLLOW)).longValue();
        } else {
            Object key = b.fileKey();
            dev = 1;
            ino = (key != null ? key.hashCode() : p.hashCode()) & 0xffffffffL;
        }
        return new MappedNode(p, dev, ino, type);
    }

    MappedNode parentOf(MappedNode n) throws IOException {
        if (n.path().equals(rootPath) || n.path().getParent() == null) {
            return root;
        }
        return lookup(n.path().getParent());
    }

    @Override
    public Node walk(Node dir, String name) throws ErrnoException {
        MappedNode d = node(dir);
        return io("walk", name, () -> switch (name) {
            case "." -> lookup(d.path());
            case ".." -> parentOf(d);
            default -> lookup(d.path().resolve(name));
        });
    }

    @Override
    public Attr getattr(Node node) throws ErrnoException {
        MappedNode n = node(node);
        return io("getattr", n.path(), () -> {
            Path p = n.path();
            BasicFileAttributes b = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW);
            Map<String, Object> u = unix ? Files.readAttributes(p, "unix:mode,uid,gid,nlink,rdev,ctime", NOFOLLOW) : Map.of();
            int hostMode = u.isEmpty() ? (b.isDirectory() ? DEFAULT_DIR : DEFAULT_FILE) : (Integer) u.get("mode");
            int mode = (int) Metadata.get(p, Metadata.MODE, hostMode);
            if ((mode & Statx.S_IFMT) == 0) {
                mode |= hostMode & Statx.S_IFMT;
            }
            int uid = (int) Metadata.get(p, Metadata.UID, u.isEmpty() ? 0 : (Integer) u.get("uid"));
            int gid = (int) Metadata.get(p, Metadata.GID, u.isEmpty() ? 0 : (Integer) u.get("gid"));
            long rdev = Metadata.get(p, Metadata.RDEV, u.isEmpty() ? 0 : (Long) u.get("rdev"));
            long nlink = u.isEmpty() ? 1 : ((Number) u.get("nlink")).longValue();
            FileTime ctime = u.isEmpty() ? b.lastModifiedTime() : (FileTime) u.get("ctime");
            Instant a = b.lastAccessTime().toInstant(), m = b.lastModifiedTime().toInstant(),
                    c = ctime.toInstant(), bt = b.creationTime().toInstant();
            long size = b.size();
            return new Attr(n.dev(), n.ino(), mode, uid, gid, nlink, rdev, size, 4096, (size + 511) / 512,
                    a.getEpochSecond(), a.getNano(), m.getEpochSecond(), m.getNano(), c.getEpochSecond(),
                    c.getNano(), bt.getEpochSecond(), bt.getNano(), true);
        });
    }

    @Override
    public void setattr(Node node, SetAttr s) throws ErrnoException {
        MappedNode n = node(node);
        Path p = n.path();
        run("setattr", p, () -> {
            if (s.has(P9.SETATTR_MODE)) {
                Metadata.putInt(p, Metadata.MODE, n.fileType() | (s.mode() & 07777));
            }
            if (s.has(P9.SETATTR_UID)) {
                Metadata.putInt(p, Metadata.UID, s.uid());
            }
            if (s.has(P9.SETATTR_GID)) {
                Metadata.putInt(p, Metadata.GID, s.gid());
            }
            if (s.has(P9.SETATTR_SIZE)) {
                if (n.fileType() == Statx.S_IFDIR) {
                    throw new ErrnoException("truncate", "directory", Errno.EISDIR);
                }
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE, NOFOLLOW)) {
                    if (s.size() < ch.size()) {
                        ch.truncate(s.size());
                    } else if (s.size() > ch.size()) {
                        ch.write(ByteBuffer.allocate(1), s.size() - 1);
                    }
                }
            }
            if (s.has(P9.SETATTR_ATIME) || s.has(P9.SETATTR_MTIME)) {
                FileTime now = FileTime.from(Instant.now());
                FileTime at = !s.has(P9.SETATTR_ATIME) ? null : s.has(P9.SETATTR_ATIME_SET)
                        ? FileTime.from(Instant.ofEpochSecond(s.atimeSec(), s.atimeNsec())) : now;
                FileTime mt = !s.has(P9.SETATTR_MTIME) ? null : s.has(P9.SETATTR_MTIME_SET)
                        ? FileTime.from(Instant.ofEpochSecond(s.mtimeSec(), s.mtimeNsec())) : now;
                Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW).setTimes(mt, at, null);
            }
        });
    }

    @Override
    public OpenFile open(Node node, int flags) throws ErrnoException {
        MappedNode n = node(node);
        if (n.fileType() == Statx.S_IFLNK) {
            throw new ErrnoException("open", "symlink", Errno.ELOOP);
        }
        boolean dir = n.fileType() == Statx.S_IFDIR;
        if (dir) {
            if ((flags & P9.DOTL_NOACCESS) != P9.DOTL_RDONLY) {
                throw new ErrnoException("open", n.path().toString(), Errno.EISDIR);
            }
            return new MappedFile(this, n, null, false);
        }
        if ((flags & P9.DOTL_DIRECTORY) != 0) {
            throw new ErrnoException("open", n.path().toString(), Errno.ENOTDIR);
        }
        Set<OpenOption> opts = options(flags);
        FileChannel ch = io("open", n.path(), () -> FileChannel.open(n.path(), opts));
        return new MappedFile(this, n, ch, (flags & P9.DOTL_APPEND) != 0);
    }

    private static Set<OpenOption> options(int flags) {
        Set<OpenOption> o = new HashSet<>();
        int acc = flags & P9.DOTL_NOACCESS;
        o.add(StandardOpenOption.READ);
        if (acc == P9.DOTL_WRONLY || acc == P9.DOTL_RDWR) {
            o.add(StandardOpenOption.WRITE);
            if ((flags & P9.DOTL_TRUNC) != 0) {
                o.add(StandardOpenOption.TRUNCATE_EXISTING);
            }
        }
        if ((flags & P9.DOTL_SYNC) == P9.DOTL_SYNC) {
            o.add(StandardOpenOption.SYNC);
        } else if ((flags & P9.DOTL_DSYNC) != 0) {
            o.add(StandardOpenOption.DSYNC);
        }
        o.add(NOFOLLOW);
        return o;
    }

    @Override
    public Created create(Node dir, String name, int flags, int mode, int uid, int gid) throws ErrnoException {
        MappedNode d = node(dir);
        Path p = d.path().resolve(name);
        return io("create", p, () -> {
            Set<OpenOption> opts = options((flags & ~P9.DOTL_NOACCESS) | P9.DOTL_RDWR);
            boolean existed = Files.exists(p, NOFOLLOW);
            if (existed && (flags & P9.DOTL_EXCL) != 0) {
                throw new ErrnoException("create", name, Errno.EEXIST);
            }
            opts.add(existed ? StandardOpenOption.WRITE : StandardOpenOption.CREATE_NEW);
            FileChannel ch = FileChannel.open(p, opts);
            try {
                if (!existed) {
                    own(p, Statx.S_IFREG | (mode & 07777), uid, gid);
                }
                MappedNode n = lookup(p);
                return new Created(n, new MappedFile(this, n, ch, (flags & P9.DOTL_APPEND) != 0));
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        });
    }

    private static void own(Path p, int mode, int uid, int gid) throws IOException {
        Metadata.putInt(p, Metadata.MODE, mode);
        if (uid != -1) {
            Metadata.putInt(p, Metadata.UID, uid);
        }
        if (gid != -1) {
            Metadata.putInt(p, Metadata.GID, gid);
        }
    }

    @Override
    public Node mkdir(Node dir, String name, int mode, int uid, int gid) throws ErrnoException {
        Path p = node(dir).path().resolve(name);
        return io("mkdir", p, () -> {
            Files.createDirectory(p);
            own(p, Statx.S_IFDIR | (mode & 07777), uid, gid);
            return lookup(p);
        });
    }

    @Override
    public Node symlink(Node dir, String name, String target, int uid, int gid) throws ErrnoException {
        Path p = node(dir).path().resolve(name);
        return io("symlink", p, () -> {
            Files.write(p, target.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, NOFOLLOW);
            own(p, Statx.S_IFLNK | 0777, uid, gid);
            return lookup(p);
        });
    }

    @Override
    public Node mknod(Node dir, String name, int mode, int major, int minor, int uid, int gid) throws ErrnoException {
        int type = mode & Statx.S_IFMT;
        if (type == Statx.S_IFDIR || type == Statx.S_IFLNK) {
            throw new ErrnoException("mknod", name, Errno.EINVAL);
        }
        Path p = node(dir).path().resolve(name);
        return io("mknod", p, () -> {
            Files.write(p, new byte[0], StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, NOFOLLOW);
            own(p, (type == 0 ? Statx.S_IFREG : type) | (mode & 07777), uid, gid);
            Metadata.putLong(p, Metadata.RDEV, Statx.makedev(major, minor));
            return lookup(p);
        });
    }

    @Override
    public void link(Node target, Node dir, String name) throws ErrnoException {
        MappedNode t = node(target);
        if (t.fileType() == Statx.S_IFDIR) {
            throw new ErrnoException("link", name, Errno.EPERM);
        }
        Path p = node(dir).path().resolve(name);
        run("link", p, () -> Files.createLink(p, t.path()));
    }

    @Override
    public void rename(Node oldDir, String oldName, Node newDir, String newName) throws ErrnoException {
        Path from = node(oldDir).path().resolve(oldName), to = node(newDir).path().resolve(newName);
        run("rename", from, () -> {
            try {
                Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
            }
        });
    }

    @Override
    public void unlink(Node dir, String name, boolean removeDir) throws ErrnoException {
        Path p = node(dir).path().resolve(name);
        run("unlink", p, () -> {
            boolean isDir = Files.readAttributes(p, BasicFileAttributes.class, NOFOLLOW).isDirectory();
            if (removeDir != isDir) {
                throw new ErrnoException("unlink", name, removeDir ? Errno.ENOTDIR : Errno.EISDIR);
            }
            Files.delete(p);
        });
    }

    @Override
    public String readlink(Node node) throws ErrnoException {
        MappedNode n = node(node);
        if (n.fileType() != Statx.S_IFLNK) {
            throw new ErrnoException("readlink", n.path().toString(), Errno.EINVAL);
        }
        return io("readlink", n.path(), () -> Files.isSymbolicLink(n.path())
                ? Files.readSymbolicLink(n.path()).toString()
                : new String(Files.readAllBytes(n.path()), StandardCharsets.UTF_8));
    }

    /** Reports the 9P magic (V9FS_MAGIC) as the type, since the host's is not what clients see. */
    @Override
    public StatFs statfs(Node node) throws ErrnoException {
        return io("statfs", node(node).path(), () -> {
            FileStore s = Files.getFileStore(node(node).path());
            long bs = 4096;
            return new StatFs(0x01021997, bs, s.getTotalSpace() / bs, s.getUnallocatedSpace() / bs,
                    s.getUsableSpace() / bs, 0, 0, 0, 255);
        });
    }

    /** A client attribute name as stored: only {@code user.*}, and never our own metadata. */
    private static String stored(String name, boolean forWrite) throws ErrnoException {
        if (!name.startsWith("user.")) {
            throw new ErrnoException("xattr", name, Errno.EOPNOTSUPP);
        }
        String s = name.substring(5);
        if (Metadata.internal(s)) {
            throw new ErrnoException("xattr", name, forWrite ? Errno.EPERM : Errno.ENODATA);
        }
        return s;
    }

    @Override
    public byte[] getxattr(Node node, String name) throws ErrnoException {
        String s = stored(name, false);
        Path p = node(node).path();
        return io("getxattr", name, () -> {
            UserDefinedFileAttributeView v = Metadata.view(p);
            if (!v.list().contains(s)) {
                throw new ErrnoException("getxattr", name, Errno.ENODATA);
            }
            ByteBuffer b = ByteBuffer.allocate(v.size(s));
            v.read(s, b);
            return b.array();
        });
    }

    @Override
    public byte[] listxattr(Node node) throws ErrnoException {
        Path p = node(node).path();
        return io("listxattr", p, () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (String s : Metadata.view(p).list()) {
                if (!Metadata.internal(s)) {
                    out.writeBytes(("user." + s).getBytes(StandardCharsets.UTF_8));
                    out.write(0);
                }
            }
            return out.toByteArray();
        });
    }

    @Override
    public void setxattr(Node node, String name, byte[] value, int flags) throws ErrnoException {
        String s = stored(name, true);
        Path p = node(node).path();
        run("setxattr", name, () -> {
            UserDefinedFileAttributeView v = Metadata.view(p);
            boolean exists = v.list().contains(s);
            if ((flags & Xattrs.XATTR_CREATE) != 0 && exists) {
                throw new ErrnoException("setxattr", name, Errno.EEXIST);
            }
            if ((flags & Xattrs.XATTR_REPLACE) != 0 && !exists) {
                throw new ErrnoException("setxattr", name, Errno.ENODATA);
            }
            v.write(s, ByteBuffer.wrap(value));
        });
    }

    @Override
    public void removexattr(Node node, String name) throws ErrnoException {
        String s = stored(name, true);
        Path p = node(node).path();
        run("removexattr", name, () -> {
            UserDefinedFileAttributeView v = Metadata.view(p);
            if (!v.list().contains(s)) {
                throw new ErrnoException("removexattr", name, Errno.ENODATA);
            }
            v.delete(s);
        });
    }

    @Override
    public void close() {
        // nothing held open
    }
}
