package dev.skiff.p9.server;

import dev.skiff.p9.wire.Rmessage.Rxattrcreate;
import dev.skiff.p9.wire.Rmessage.Rxattrwalk;
import dev.skiff.p9.wire.Tmessage.Txattrcreate;
import dev.skiff.p9.wire.Tmessage.Txattrwalk;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Xattrs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * Extended attributes through fids (diod protocol.md, Linux fs/9p/xattr.c):
 * <ul>
 *   <li>Txattrwalk makes newfid hold a snapshot of one attribute's value, or, for an empty
 *       name, of the NUL-separated name list; Tread reads it.
 *   <li>Txattrcreate turns fid into an attribute being written: Twrite collects the value
 *       (sequentially, up to the announced size) and Tclunk applies it. A size of 0 with
 *       XATTR_REPLACE is how the Linux client sends removexattr(2), and removes the attribute;
 *       a size of 0 otherwise sets an empty value. A value shorter than announced is EINVAL at
 *       clunk, as QEMU's v9fs_xattr_fid_clunk reports.
 * </ul>
 */
final class XattrOps {
    private XattrOps() {}

    static Rxattrwalk xattrwalk(Session s, Request r, Txattrwalk m) throws IOException {
        Fid f = s.fid(r, m.fid());
        NodeRef node = f.node();
        s.checkFree(m.newfid());
        byte[] value = m.name().isEmpty() ? s.fs().listxattr(node.node) : s.fs().getxattr(node.node, m.name());
        s.addFid(Fid.xattrRead(m.newfid(), f.uid, value));
        return new Rxattrwalk(value.length);
    }

    static Rxattrcreate xattrcreate(Session s, Request r, Txattrcreate m) throws IOException {
        Fid f = s.fid(r, m.fid());
        f.node();
        if (f.isOpen()) {
            throw new ErrnoException("xattrcreate", "open fid", Errno.EBADF);
        }
        if (m.attrSize() < 0 || m.attrSize() > Xattrs.XATTR_SIZE_MAX) {
            throw new ErrnoException("xattrcreate", m.name() + " of " + m.attrSize() + " bytes", Errno.E2BIG);
        }
        if ((m.flags() & ~(Xattrs.XATTR_CREATE | Xattrs.XATTR_REPLACE)) != 0 || m.name().isEmpty()) {
            throw new ErrnoException("xattrcreate", m.name(), Errno.EINVAL);
        }
        f.startXattrWrite(new Fid.XattrWrite(m.name(), m.attrSize(), m.flags(),
                new ByteArrayOutputStream((int) m.attrSize())));
        return new Rxattrcreate();
    }

    static int write(Fid f, long offset, byte[] data) throws IOException {
        Fid.XattrWrite w = f.xattrWrite();
        synchronized (w) {
            if (offset != w.value().size() || offset + data.length > w.size()) {
                throw new ErrnoException("write", "xattr " + w.name() + " at " + offset, Errno.ENOSPC);
            }
            w.value().writeBytes(data);
            return data.length;
        }
    }

    static void apply(Session s, Fid f) throws IOException {
        Fid.XattrWrite w = f.xattrWrite();
        byte[] value;
        synchronized (w) {
            value = w.value().toByteArray();
        }
        if (value.length != w.size()) {
            throw new ErrnoException("setxattr", w.name() + " (" + value.length + " of " + w.size() + " bytes)", Errno.EINVAL);
        }
        if (s.export().readOnly()) {
            throw new ErrnoException("setxattr", "read-only export", Errno.EROFS);
        }
        if (value.length == 0 && (w.flags() & Xattrs.XATTR_REPLACE) != 0) {
            s.fs().removexattr(f.target().node, w.name());
        } else {
            s.fs().setxattr(f.target().node, w.name(), value, w.flags());
        }
    }
}
