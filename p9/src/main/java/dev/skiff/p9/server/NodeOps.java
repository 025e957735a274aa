package dev.skiff.p9.server;

import dev.skiff.p9.fs.Names;
import java.io.IOException;
import dev.skiff.p9.fs.Attr;
import dev.skiff.p9.fs.Node;
import dev.skiff.p9.fs.SetAttr;
import dev.skiff.p9.fs.StatFs;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Qid;
import dev.skiff.p9.wire.Rmessage.*;
import dev.skiff.p9.wire.Tmessage.*;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;

/**
 * Handlers for attributes and directory changes: Tgetattr, Tsetattr, Tstatfs, Treadlink,
 * Tsymlink, Tmknod, Tmkdir, Tlink, Trename, Trenameat, Tunlinkat (diod protocol.md).
 */
final class NodeOps {
    private NodeOps() {}

    /** Every field is filled in whatever the request mask asks; {@code valid} says which are real. */
    static Rgetattr getattr(Session s, Request r, Tgetattr m) throws IOException {
        Fid f = s.fid(r, m.fid());
        Node n = f.node().node;
        Attr a = s.fs().getattr(n);
        long valid = P9.GETATTR_BASIC | (a.hasBtime() ? P9.GETATTR_BTIME : 0);
        Qid qid = s.qids().qid(a.dev(), a.ino(), a.mode());
        return new Rgetattr(valid, qid, a.mode(), a.uid(), a.gid(), a.nlink(), a.rdev(), a.size(),
                a.blksize(), a.blocks(), a.atimeSec(), a.atimeNsec(), a.mtimeSec(), a.mtimeNsec(),
                a.ctimeSec(), a.ctimeNsec(), a.btimeSec(), a.btimeNsec(), 0, 0);
    }

    static Rsetattr setattr(Session s, Request r, Tsetattr m) throws IOException {
        Fid f = s.fid(r, m.fid());
        s.fs().setattr(f.node().node, new SetAttr(m.valid(), m.mode(), m.uid(), m.gid(), m.size(),
                m.atimeSec(), m.atimeNsec(), m.mtimeSec(), m.mtimeNsec()));
        return new Rsetattr();
    }

    static Rstatfs statfs(Session s, Request r, Tstatfs m) throws IOException {
        Fid f = s.fid(r, m.fid());
        StatFs st = s.fs().statfs(f.node().node);
        return new Rstatfs((int) st.type(), (int) st.bsize(), st.blocks(), st.bfree(), st.bavail(),
                st.files(), st.ffree(), st.fsid(), (int) st.namelen());
    }

    static Rreadlink readlink(Session s, Request r, Treadlink m) throws IOException {
        Fid f = s.fid(r, m.fid());
        return new Rreadlink(s.fs().readlink(f.node().node));
    }

    static Rsymlink symlink(Session s, Request r, Tsymlink m) throws IOException {
        Fid d = s.fid(r, m.fid());
        Names.checkCreate(m.name());
        Names.checkTarget(m.target());
        try (Node n = s.fs().symlink(d.node().node, m.name(), m.target(), d.uid, m.gid())) {
            return new Rsymlink(FidOps.qid(s, n));
        }
    }

    static Rmknod mknod(Session s, Request r, Tmknod m) throws IOException {
        Fid d = s.fid(r, m.dfid());
        Names.checkCreate(m.name());
        try (Node n = s.fs().mknod(d.node().node, m.name(), m.mode(), m.major(), m.minor(), d.uid, m.gid())) {
            return new Rmknod(FidOps.qid(s, n));
        }
    }

    static Rmkdir mkdir(Session s, Request r, Tmkdir m) throws IOException {
        Fid d = s.fid(r, m.dfid());
        Names.checkCreate(m.name());
        try (Node n = s.fs().mkdir(d.node().node, m.name(), m.mode(), d.uid, m.gid())) {
            return new Rmkdir(FidOps.qid(s, n));
        }
    }

    static Rlink link(Session s, Request r, Tlink m) throws IOException {
        Fid d = s.fid(r, m.dfid());
        Fid target = s.fid(r, m.fid());
        Names.checkCreate(m.name());
        s.fs().link(target.node().node, d.node().node, m.name());
        return new Rlink();
    }

    /** Trename: moves the fid's file to dfid/name; the fid follows it. */
    static Rrename rename(Session s, Request r, Trename m) throws IOException {
        Fid f = s.fid(r, m.fid());
        Fid d = s.fid(r, m.dfid());
        Names.checkRename(m.name());
        NodeRef parent = f.parent();
        if (parent == null) {
            throw new ErrnoException("rename", "export root", Errno.EBUSY);
        }
        NodeRef dir = d.node();
        s.fs().rename(parent.node, f.name(), dir.node, m.name());
        f.moved(dir, m.name());
        return new Rrename();
    }

    static Rrenameat renameat(Session s, Request r, Trenameat m) throws IOException {
        Fid from = s.fid(r, m.olddirfid());
        Fid to = s.fid(r, m.newdirfid());
        Names.checkRename(m.oldname());
        Names.checkRename(m.newname());
        s.fs().rename(from.node().node, m.oldname(), to.node().node, m.newname());
        return new Rrenameat();
    }

    static Runlinkat unlinkat(Session s, Request r, Tunlinkat m) throws IOException {
        Fid d = s.fid(r, m.dirfid());
        Names.checkUnlink(m.name());
        if ((m.flags() & ~P9.AT_REMOVEDIR) != 0) {
            throw new ErrnoException("unlinkat", "flags " + m.flags(), Errno.EINVAL);
        }
        s.fs().unlink(d.node().node, m.name(), (m.flags() & P9.AT_REMOVEDIR) != 0);
        return new Runlinkat();
    }
}
