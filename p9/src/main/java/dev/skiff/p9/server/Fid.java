package dev.skiff.p9.server;

import dev.skiff.p9.fs.OpenFile;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One fid of a connection and what it refers to. A fid is one of four kinds:
 * a file fid (a node, once Tlopen/Tlcreate also an open file), an xattr fid made by Txattrwalk
 * (a snapshot of a value or a name list to Tread), an xattr fid made by Txattrcreate (a value
 * collected by Twrite and applied at Tclunk), or an auth fid made by Tauth.
 *
 * <p>The fid table holds one reference; each request that uses the fid holds another for its
 * duration, so Tclunk racing with a Tread never closes a descriptor under the reader.
 */
final class Fid {
    enum Kind { FILE, XATTR_READ, XATTR_WRITE, AUTH }

    final int id;
    /** The uid named at Tattach (n_uname), or -1. */
    final int uid;
    private final AtomicInteger refs = new AtomicInteger(1);

    private Kind kind;
    private NodeRef node;
    private NodeRef parent;
    private String name;
    private OpenFile open;
    private int openFlags;
    private byte[] xattrValue;
    private XattrWrite xattrWrite;
    private Auth.State auth;

    /** The pending Txattrcreate: the attribute, its announced size, setxattr flags, bytes so far. */
    record XattrWrite(String name, long size, int flags, ByteArrayOutputStream value) {}

    Fid(int id, int uid, NodeRef node, NodeRef parent, String name) {
        this.id = id;
        this.uid = uid;
        this.kind = Kind.FILE;
        this.node = node;
        this.parent = parent;
        this.name = name;
    }

    static Fid xattrRead(int id, int uid, byte[] value) {
        Fid f = new Fid(id, uid, null, null, null);
        f.kind = Kind.XATTR_READ;
        f.xattrValue = value;
        return f;
    }

    static Fid auth(int id, int uid, Auth.State state) {
        Fid f = new Fid(id, uid, null, null, null);
        f.kind = Kind.AUTH;
        f.auth = state;
        return f;
    }

    boolean retain() {
        int r;
        do {
            r = refs.get();
            if (r == 0) {
                return false;
            }
        } while (!refs.compareAndSet(r, r + 1));
        return true;
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            free();
        }
    }

    private synchronized void free() {
        if (open != null) {
            open.close();
            open = null;
        }
        if (node != null) {
            node.release();
            node = null;
        }
        if (parent != null) {
            parent.release();
            parent = null;
        }
    }

    synchronized Kind kind() {
        return kind;
    }

    /** The node of a file fid; EBADF for any other kind. */
    synchronized NodeRef node() throws ErrnoException {
        if (kind != Kind.FILE || node == null) {
            throw new ErrnoException("use", "fid " + Integer.toUnsignedString(id) + " (not a file fid)", Errno.EBADF);
        }
        return node;
    }

    /** The node of a file fid or of a Txattrcreate fid (whose attribute is set on that node). */
    synchronized NodeRef target() throws ErrnoException {
        if (node == null) {
            throw new ErrnoException("use", "fid " + Integer.toUnsignedString(id), Errno.EBADF);
        }
        return node;
    }

    /** The parent directory and name the fid was walked to by, or null for the root. */
    synchronized NodeRef parent() {
        return parent;
    }

    synchronized String name() {
        return name;
    }

    /** After Trename: the fid's file now lives at newParent/newName. */
    synchronized void moved(NodeRef newParent, String newName) {
        NodeRef old = parent;
        parent = newParent.retain();
        name = newName;
        if (old != null) {
            old.release();
        }
    }

    synchronized OpenFile open() throws ErrnoException {
        if (kind != Kind.FILE || open == null) {
            throw new ErrnoException("use", "fid " + Integer.toUnsignedString(id) + " (not open)", Errno.EBADF);
        }
        return open;
    }

    synchronized boolean isOpen() {
        return open != null || kind == Kind.XATTR_WRITE;
    }

    synchronized int openFlags() {
        return openFlags;
    }

    synchronized void opened(OpenFile file, int flags) {
        this.open = file;
        this.openFlags = flags;
    }

    /** After Tlcreate: the fid now refers to the new file in what was its directory. */
    synchronized void created(NodeRef newNode, String newName, OpenFile file, int flags) {
        NodeRef oldParent = parent;
        parent = node;
        node = newNode;
        name = newName;
        open = file;
        openFlags = flags;
        if (oldParent != null) {
            oldParent.release();
        }
    }

    synchronized void startXattrWrite(XattrWrite w) {
        kind = Kind.XATTR_WRITE;
        xattrWrite = w;
    }

    synchronized XattrWrite xattrWrite() {
        return xattrWrite;
    }

    synchronized byte[] xattrValue() {
        return xattrValue;
    }

    synchronized Auth.State auth() {
        return auth;
    }
}
