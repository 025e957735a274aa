package dev.skiff.erofs.tree;

import dev.skiff.erofs.format.FileType;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One file-system object of the layer. Several directory entries may share an inode (hard links); a directory
 * has exactly one parent. The fields after the first block are scratch space for the image layout.
 */
public final class Inode {
    public final FileType type;
    public int permissions;
    public long uid;
    public long gid;
    /** Seconds since the epoch; meaningless while {@link #mtimeSet} is false (implicit directories). */
    public long mtime;
    public int mtimeNsec;
    public boolean mtimeSet;
    /** Full xattr names (raw bytes, one per char) to values. */
    public final Map<String, byte[]> xattrs = new LinkedHashMap<>();
    /** Regular files: where the data is. */
    public FileData data;
    /** Symlinks: the target's bytes. */
    public byte[] target;
    /** Devices. */
    public int major;
    public int minor;
    /** Directories: children by name, parent, and whether it hides the lower layers ({@code .wh..wh..opq}). */
    public final Map<String, Inode> children;
    public Inode parent;
    public boolean opaque;

    // ---- layout scratch, owned by the writer ----
    public int links;
    public long nid = -1;
    public int ordinal = -1;

    private Inode(FileType type) {
        this.type = type;
        this.children = type == FileType.DIRECTORY ? new HashMap<>() : null;
    }

    public static Inode directory(int permissions, long uid, long gid) {
        Inode i = new Inode(FileType.DIRECTORY);
        i.permissions = permissions;
        i.uid = uid;
        i.gid = gid;
        return i;
    }

    public static Inode regular(FileData data) {
        Inode i = new Inode(FileType.REGULAR);
        i.data = data;
        return i;
    }

    public static Inode symlink(byte[] target) {
        Inode i = new Inode(FileType.SYMLINK);
        i.target = target;
        return i;
    }

    public static Inode device(FileType type, int major, int minor) {
        if (!type.isDevice()) {
            throw new IllegalArgumentException(type + " is not a device");
        }
        Inode i = new Inode(type);
        i.major = major;
        i.minor = minor;
        return i;
    }

    public static Inode special(FileType type) {
        if (type != FileType.FIFO && type != FileType.SOCKET) {
            throw new IllegalArgumentException(type + " is not a fifo or socket");
        }
        return new Inode(type);
    }

    /** An overlayfs whiteout: a character device 0:0 ({@code Documentation/filesystems/overlayfs.rst}). */
    public static Inode whiteout() {
        return device(FileType.CHAR_DEVICE, 0, 0);
    }

    /** Sets owner, permissions and mtime in one go; returns this. */
    public Inode attributes(int permissions, long uid, long gid, long mtime, int mtimeNsec) {
        this.permissions = permissions & 07777;
        this.uid = uid;
        this.gid = gid;
        this.mtime = mtime;
        this.mtimeNsec = mtimeNsec;
        this.mtimeSet = true;
        return this;
    }

    public boolean isDirectory() {
        return type == FileType.DIRECTORY;
    }

    /** {@code i_mode}: type bits and permissions. */
    public int mode() {
        return type.modeBits | (permissions & 07777);
    }

    /** {@code i_size} of everything but directories (whose size the layout decides). */
    public long size() {
        return switch (type) {
            case REGULAR -> data.size();
            case SYMLINK -> target.length;
            default -> 0;
        };
    }
}
