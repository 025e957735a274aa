package dev.skiff.p9.server;

import dev.skiff.p9.fs.Names;
import java.io.IOException;
import dev.skiff.p9.fs.Node;
import dev.skiff.p9.wire.Qid;
import dev.skiff.p9.wire.Rmessage.Rattach;
import dev.skiff.p9.wire.Rmessage.Rclunk;
import dev.skiff.p9.wire.Rmessage.Rremove;
import dev.skiff.p9.wire.Rmessage.Rwalk;
import dev.skiff.p9.wire.Tmessage.Tattach;
import dev.skiff.p9.wire.Tmessage.Tclunk;
import dev.skiff.p9.wire.Tmessage.Tremove;
import dev.skiff.p9.wire.Tmessage.Twalk;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Statx;
import java.util.ArrayList;
import java.util.List;

/** Handlers that make and drop fids: Tattach, Twalk, Tclunk, Tremove (attach(5), walk(5), clunk(5), remove(5)). */
final class FidOps {
    private FidOps() {}

    static Qid qid(Session s, Node n) {
        return s.qids().qid(n.dev(), n.ino(), n.fileType());
    }

    /** The aname selects the export: its own absolute path, or empty. */
    static Rattach attach(Session s, Request r, Tattach m) throws IOException {
        s.checkFree(m.fid());
        if (!s.export().matches(m.aname())) {
            throw new ErrnoException("attach", "aname " + m.aname() + " (not exported)", Errno.ENOENT);
        }
        Auth.check(s, r, m);
        Node root = s.fs().root();
        Fid f = new Fid(m.fid(), Auth.uid(m.nUname()), new NodeRef(root, false), null, null);
        try {
            s.addFid(f);
        } catch (ErrnoException e) {
            f.release();
            throw e;
        }
        return new Rattach(qid(s, root));
    }

    /**
     * walk(5): each name is one step from the previous node. If the first step fails, the
     * error is returned; if a later one fails, Rwalk lists the qids walked so far and newfid is
     * not created. newfid may equal fid. An open fid cannot be walked.
     */
    static Rwalk walk(Session s, Request r, Twalk m) throws IOException {
        Fid f = s.fid(r, m.fid());
        NodeRef start = f.node();
        if (f.isOpen()) {
            throw new ErrnoException("walk", "fid " + Integer.toUnsignedString(m.fid()) + " (open)", Errno.EBADF);
        }
        if (m.newfid() != m.fid()) {
            s.checkFree(m.newfid());
        }
        NodeRef cur = start.retain();
        NodeRef parent = f.parent() == null ? null : f.parent().retain();
        String name = f.name();
        List<Qid> qids = new ArrayList<>(m.names().size());
        try {
            for (int i = 0; i < m.names().size(); i++) {
                String step = m.names().get(i);
                Node next;
                try {
                    Names.checkWalk(step);
                    if (cur.node.fileType() != Statx.S_IFDIR) {
                        throw new ErrnoException("walk", step, Errno.ENOTDIR);
                    }
                    next = s.fs().walk(cur.node, step);
                } catch (ErrnoException e) {
                    if (i == 0) {
                        throw e;
                    }
                    break;
                }
                if (parent != null) {
                    parent.release();
                }
                parent = cur;
                cur = new NodeRef(next, next != s.fs().root());
                name = step;
                qids.add(qid(s, next));
            }
        } catch (ErrnoException e) {
            cur.release();
            if (parent != null) {
                parent.release();
            }
            throw e;
        }
        if (qids.size() < m.names().size()) {
            cur.release();
            if (parent != null) {
                parent.release();
            }
            return new Rwalk(qids);
        }
        Fid nf = new Fid(m.newfid(), f.uid, cur, parent, name);
        if (m.newfid() == m.fid()) {
            s.replaceFid(f, nf);
        } else {
            try {
                s.addFid(nf);
            } catch (ErrnoException e) {
                nf.release();
                throw e;
            }
        }
        return new Rwalk(qids);
    }

    /** clunk(5); an xattr fid made by Txattrcreate applies its value now. */
    static Rclunk clunk(Session s, Tclunk m) throws IOException {
        Fid f = s.removeFid(m.fid());
        try {
            if (f.kind() == Fid.Kind.XATTR_WRITE) {
                XattrOps.apply(s, f);
            }
        } finally {
            f.release();
        }
        return new Rclunk();
    }

    /**
     * remove(5): removes the file and clunks the fid, even when the removal fails. The name the
     * fid was walked by must still lead to the same file (else ENOENT), so that a rename by
     * another client can never make Tremove delete a different file.
     */
    static Rremove remove(Session s, Tremove m) throws IOException {
        Fid f = s.removeFid(m.fid());
        try {
            if (s.export().readOnly()) {
                throw new ErrnoException("remove", "read-only export", Errno.EROFS);
            }
            NodeRef node = f.node();
            NodeRef parent = f.parent();
            if (parent == null) {
                throw new ErrnoException("remove", "export root", Errno.EBUSY);
            }
            String name = f.name();
            Names.checkUnlink(name);
            try (Node now = s.fs().walk(parent.node, name)) {
                if (now.dev() != node.node.dev() || now.ino() != node.node.ino()) {
                    throw new ErrnoException("remove", name + " (replaced since walk)", Errno.ENOENT);
                }
            }
            s.fs().unlink(parent.node, name, node.node.fileType() == Statx.S_IFDIR);
        } finally {
            f.release();
        }
        return new Rremove();
    }
}
