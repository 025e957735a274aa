package dev.skiff.virtiofs.server;

import dev.skiff.p9.fs.Attr;
import dev.skiff.p9.fs.Names;
import dev.skiff.p9.fs.SetAttr;
import dev.skiff.p9.wire.P9;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Statx;
import dev.skiff.virtiofs.wire.Fuse;
import dev.skiff.virtiofs.wire.FuseReply;
import dev.skiff.virtiofs.wire.FuseRequest;
import dev.skiff.virtiofs.wire.InHeader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Handlers for names and attributes: LOOKUP, GETATTR, SETATTR, READLINK, SYMLINK, MKNOD, MKDIR,
 * UNLINK, RMDIR, RENAME(2), LINK, STATFS. Names are checked by the rules the 9P server uses
 * ({@link Names}); modes have the guest's umask applied here, since DONT_MASK hands it to us.
 */
final class EntryOps {
    private EntryOps() {}

    static FuseReply lookup(FuseSession s, InHeader h, FuseRequest.Lookup m) throws IOException {
        Names.checkWalk(m.name());
        try (NodeTable.Ref dir = s.nodes.acquire(h.nodeid())) {
            return s.entry(s.fs.walk(dir.node(), m.name()));
        }
    }

    static FuseReply getattr(FuseSession s, InHeader h) throws IOException {
        try (NodeTable.Ref n = s.nodes.acquire(h.nodeid())) {
            return new FuseReply.AttrOut(s.cache.attrNanos(), s.fs.getattr(n.node()));
        }
    }

    /**
     * FATTR_* bits become P9_SETATTR_* bits: a time without its _NOW bit is set to the value
     * given (ATIME_SET), with it to the host's now. A size with FATTR_FH is an ftruncate(2)
     * through the handle, which needs only the handle's write access (open(O_CREAT, 0444) then
     * ftruncate must work). KILL_SUIDGID (HANDLE_KILLPRIV_V2) drops set-id bits after the change;
     * CTIME and LOCKOWNER need nothing from us.
     */
    static FuseReply setattr(FuseSession s, InHeader h, FuseRequest.Setattr m) throws IOException {
        try (NodeTable.Ref n = s.nodes.acquire(h.nodeid())) {
            int valid = 0;
            if (m.has(Fuse.FATTR_MODE)) {
                valid |= P9.SETATTR_MODE;
            }
            if (m.has(Fuse.FATTR_UID)) {
                valid |= P9.SETATTR_UID;
            }
            if (m.has(Fuse.FATTR_GID)) {
                valid |= P9.SETATTR_GID;
            }
            if (m.has(Fuse.FATTR_SIZE)) {
                if (m.size() < 0) {
                    throw new ErrnoException("truncate", "size " + Long.toUnsignedString(m.size()), Errno.EINVAL);
                }
                if (!(m.has(Fuse.FATTR_FH) && truncate(s, m.fh(), m.size()))) {
                    valid |= P9.SETATTR_SIZE;
                }
            }
            if (m.has(Fuse.FATTR_ATIME)) {
                valid |= P9.SETATTR_ATIME | (m.has(Fuse.FATTR_ATIME_NOW) ? 0 : P9.SETATTR_ATIME_SET);
            }
            if (m.has(Fuse.FATTR_MTIME)) {
                valid |= P9.SETATTR_MTIME | (m.has(Fuse.FATTR_MTIME_NOW) ? 0 : P9.SETATTR_MTIME_SET);
            }
            if (valid != 0) {
                s.fs.setattr(n.node(), new SetAttr(valid, m.mode() & 07777, m.uid(), m.gid(), m.size(),
                        m.atime(), Integer.toUnsignedLong(m.atimensec()), m.mtime(), Integer.toUnsignedLong(m.mtimensec())));
            }
            if (m.has(Fuse.FATTR_KILL_SUIDGID) && !m.has(Fuse.FATTR_MODE)) {
                dropSetId(s, n.node()); // HANDLE_KILLPRIV_V2: a truncate or chown by a writer without CAP_FSETID
            }
            return new FuseReply.AttrOut(s.cache.attrNanos(), s.fs.getattr(n.node()));
        }
    }

    /** Drops set-user-id, and set-group-id with group execute, as the kernel does for such a change. */
    private static void dropSetId(FuseSession s, dev.skiff.p9.fs.Node node) throws IOException {
        int mode = s.fs.getattr(node).mode() & 07777;
        int kept = dev.skiff.p9.fs.OpenFile.withoutSetId(mode);
        if (kept != mode) {
            s.fs.setattr(node, new SetAttr(P9.SETATTR_MODE, kept, 0, 0, 0, 0, 0, 0, 0));
        }
    }

    private static boolean truncate(FuseSession s, long fh, long size) throws IOException {
        try (HandleTable.Handle f = s.handles.acquire(fh)) {
            return f.file.truncate(size);
        }
    }

    static FuseReply readlink(FuseSession s, InHeader h) throws IOException {
        try (NodeTable.Ref n = s.nodes.acquire(h.nodeid())) {
            return new FuseReply.Data(s.fs.readlink(n.node()).getBytes(StandardCharsets.UTF_8));
        }
    }

    static FuseReply symlink(FuseSession s, InHeader h, FuseRequest.Symlink m) throws IOException {
        Names.checkCreate(m.name());
        Names.checkTarget(m.target());
        try (NodeTable.Ref dir = s.nodes.acquire(h.nodeid())) {
            return s.entry(s.fs.symlink(dir.node(), m.name(), m.target(), h.uid(), h.gid()));
        }
    }

    /** rdev is new_encode_dev's (include/linux/kdev_t.h): minor's low byte, major, minor's high bits. */
    static FuseReply mknod(FuseSession s, InHeader h, FuseRequest.Mknod m) throws IOException {
        Names.checkCreate(m.name());
        int major = (m.rdev() & 0xfff00) >>> 8;
        int minor = (m.rdev() & 0xff) | ((m.rdev() >>> 12) & 0xfff00);
        int mode = (m.mode() & Statx.S_IFMT) | masked(m.mode(), m.umask());
        try (NodeTable.Ref dir = s.nodes.acquire(h.nodeid())) {
            return s.entry(s.fs.mknod(dir.node(), m.name(), mode, major, minor, h.uid(), h.gid()));
        }
    }

    static FuseReply mkdir(FuseSession s, InHeader h, FuseRequest.Mkdir m) throws IOException {
        Names.checkCreate(m.name());
        try (NodeTable.Ref dir = s.nodes.acquire(h.nodeid())) {
            return s.entry(s.fs.mkdir(dir.node(), m.name(), masked(m.mode(), m.umask()), h.uid(), h.gid()));
        }
    }

    /** The permission bits of {@code mode} less the guest process's umask. */
    static int masked(int mode, int umask) {
        return mode & ~umask & 07777;
    }

    static FuseReply unlink(FuseSession s, InHeader h, FuseRequest.Unlink m) throws IOException {
        Names.checkUnlink(m.name());
        try (NodeTable.Ref dir = s.nodes.acquire(h.nodeid())) {
            s.fs.unlink(dir.node(), m.name(), m.dir());
            return FuseSession.EMPTY;
        }
    }

    /** RENAME2's flags (NOREPLACE, EXCHANGE, WHITEOUT) are refused: the backends rename plainly. */
    static FuseReply rename(FuseSession s, InHeader h, FuseRequest.Rename m) throws IOException {
        if (m.flags() != 0) {
            throw new ErrnoException("rename", "flags " + Integer.toHexString(m.flags()), Errno.EINVAL);
        }
        Names.checkRename(m.oldName());
        Names.checkRename(m.newName());
        try (NodeTable.Ref from = s.nodes.acquire(h.nodeid()); NodeTable.Ref to = s.nodes.acquire(m.newdir())) {
            s.fs.rename(from.node(), m.oldName(), to.node(), m.newName());
            return FuseSession.EMPTY;
        }
    }

    /** LINK: the header's node is the new parent; the reply is the linked node's entry (one more lookup). */
    static FuseReply link(FuseSession s, InHeader h, FuseRequest.Link m) throws IOException {
        Names.checkCreate(m.name());
        try (NodeTable.Ref dir = s.nodes.acquire(h.nodeid()); NodeTable.Ref target = s.nodes.acquire(m.oldNodeid())) {
            s.fs.link(target.node(), dir.node(), m.name());
            Attr a = s.fs.getattr(target.node());
            s.nodes.lookedUp(target);
            return s.entry(target.id(), a);
        }
    }

    static FuseReply statfs(FuseSession s, InHeader h) throws IOException {
        try (NodeTable.Ref n = s.nodes.acquire(h.nodeid())) {
            return new FuseReply.StatfsOut(s.fs.statfs(n.node()));
        }
    }
}
