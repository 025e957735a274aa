package dev.skiff.p9.fs;

import java.io.Closeable;
import java.io.IOException;

/**
 * The file operations a 9P export is served from, in the spirit of QEMU's {@code FileOperations}
 * table (hw/9pfs/9p.h): one method per operation, on {@link Node} handles the backend owns.
 *
 * <p>Contract for implementations:
 * <ul>
 *   <li>{@code name} arguments are single path components already checked by the server (no
 *       {@code /}, no NUL, not empty, and never {@code .} or {@code ..} except in {@link #walk}).
 *   <li>No operation may reach outside the export root, whatever the client sends and whatever
 *       symlinks or renames exist on the host.
 *   <li>Failures throw {@link dev.skiff.sys.ErrnoException} with the Linux errno the client
 *       should see; the server turns it into Rlerror in one place.
 *   <li>Read-only exports are refused by the server before the backend is called.
 * </ul>
 */
public interface FileSystem extends Closeable {

    /** The export root; owned by the file system, never closed by callers. */
    Node root();

    /**
     * One walk step: the child {@code name} of {@code dir}, {@code .} for dir itself, or
     * {@code ..} for its parent, which at the root is the root itself. Never follows a symlink.
     */
    Node walk(Node dir, String name) throws IOException;

    Attr getattr(Node node) throws IOException;

    void setattr(Node node, SetAttr change) throws IOException;

    /** Opens a node for I/O with P9_DOTL open flags (see {@link dev.skiff.p9.wire.P9}). */
    OpenFile open(Node node, int dotlFlags) throws IOException;

    /** Tlcreate: creates {@code name} in dir and opens it; {@code uid} -1 leaves the owner. */
    Created create(Node dir, String name, int dotlFlags, int mode, int uid, int gid) throws IOException;

    Node mkdir(Node dir, String name, int mode, int uid, int gid) throws IOException;

    Node symlink(Node dir, String name, String target, int uid, int gid) throws IOException;

    /** mknod: {@code mode} carries the file type (S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK, S_IFREG). */
    Node mknod(Node dir, String name, int mode, int major, int minor, int uid, int gid) throws IOException;

    /** A hard link to {@code target} named {@code name} in dir. */
    void link(Node target, Node dir, String name) throws IOException;

    void rename(Node oldDir, String oldName, Node newDir, String newName) throws IOException;

    void unlink(Node dir, String name, boolean removeDir) throws IOException;

    String readlink(Node node) throws IOException;

    StatFs statfs(Node node) throws IOException;

    byte[] getxattr(Node node, String name) throws IOException;

    /** NUL-separated attribute names, as listxattr(2) returns them. */
    byte[] listxattr(Node node) throws IOException;

    /** setxattr with XATTR_CREATE/XATTR_REPLACE flags. */
    void setxattr(Node node, String name, byte[] value, int flags) throws IOException;

    void removexattr(Node node, String name) throws IOException;

    /** A created and opened file: the node for the fid and the open file for its I/O. */
    record Created(Node node, OpenFile file) {}
}
