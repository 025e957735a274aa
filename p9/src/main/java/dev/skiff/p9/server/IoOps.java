package dev.skiff.p9.server;

import dev.skiff.p9.fs.Names;
import java.io.IOException;
import dev.skiff.p9.fs.FileSystem;
import dev.skiff.p9.fs.OpenFile;
import dev.skiff.p9.wire.DirEntryWriter;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Rmessage.Rfsync;
import dev.skiff.p9.wire.Rmessage.Rlcreate;
import dev.skiff.p9.wire.Rmessage.Rlopen;
import dev.skiff.p9.wire.Rmessage.Rread;
import dev.skiff.p9.wire.Rmessage.Rreaddir;
import dev.skiff.p9.wire.Rmessage.Rwrite;
import dev.skiff.p9.wire.Tmessage.Tfsync;
import dev.skiff.p9.wire.Tmessage.Tlcreate;
import dev.skiff.p9.wire.Tmessage.Tlopen;
import dev.skiff.p9.wire.Tmessage.Tread;
import dev.skiff.p9.wire.Tmessage.Treaddir;
import dev.skiff.p9.wire.Tmessage.Twrite;
import dev.skiff.sys.Errno;
import dev.skiff.sys.Statx;
import dev.skiff.sys.ErrnoException;
import java.util.Arrays;

/** Handlers for open files: Tlopen, Tlcreate, Tread, Twrite, Treaddir, Tfsync. */
final class IoOps {
    private IoOps() {}

    /** Rread/Rreaddir header: size[4] type[1] tag[2] count[4]. */
    private static final int RREAD_HEADER = 11;
    /** d_type values, include/linux/fs_types.h. */
    private static final int DT_DIR = 4, DT_LNK = 10;

    static Rlopen lopen(Session s, Request r, Tlopen m) throws IOException {
        Fid f = s.fid(r, m.fid());
        NodeRef node = f.node();
        if (f.isOpen()) {
            throw new ErrnoException("lopen", "fid " + Integer.toUnsignedString(m.fid()) + " (already open)", Errno.EBADF);
        }
        OpenFile file = s.fs().open(node.node, m.flags() & ~(P9.DOTL_CREATE | P9.DOTL_EXCL));
        f.opened(file, m.flags());
        boolean dir = node.node.fileType() == Statx.S_IFDIR;
        return new Rlopen(FidOps.qid(s, node.node), dir ? s.dirIounit() : s.iounit());
    }

    /** Tlcreate: the fid, a directory, becomes the new file, opened with the given flags. */
    static Rlcreate lcreate(Session s, Request r, Tlcreate m) throws IOException {
        Fid f = s.fid(r, m.fid());
        NodeRef dir = f.node();
        if (f.isOpen()) {
            throw new ErrnoException("lcreate", "fid " + Integer.toUnsignedString(m.fid()) + " (already open)", Errno.EBADF);
        }
        Names.checkCreate(m.name());
        FileSystem.Created c = s.fs().create(dir.node, m.name(), m.flags(), m.mode(), f.uid, m.gid());
        f.created(new NodeRef(c.node(), true), m.name(), c.file(), m.flags());
        return new Rlcreate(FidOps.qid(s, c.node()), s.iounit());
    }

    static Rread read(Session s, Request r, Tread m) throws IOException {
        Fid f = s.fid(r, m.fid());
        int count = (int) Math.min(Integer.toUnsignedLong(m.count()), s.msize() - RREAD_HEADER);
        if (m.offset() < 0) {
            throw new ErrnoException("read", "offset", Errno.EINVAL);
        }
        return switch (f.kind()) {
            case FILE -> new Rread(f.open().read(m.offset(), count));
            case XATTR_READ -> new Rread(slice(f.xattrValue(), m.offset(), count));
            case AUTH -> new Rread(new byte[0]);
            case XATTR_WRITE -> throw new ErrnoException("read", "xattr being written", Errno.EBADF);
        };
    }

    private static byte[] slice(byte[] v, long offset, int count) {
        if (offset >= v.length) {
            return new byte[0];
        }
        int from = (int) offset;
        return Arrays.copyOfRange(v, from, from + Math.min(count, v.length - from));
    }

    static Rwrite write(Session s, Request r, Twrite m) throws IOException {
        Fid f = s.fid(r, m.fid());
        if (m.offset() < 0) {
            throw new ErrnoException("write", "offset", Errno.EINVAL);
        }
        return switch (f.kind()) {
            case FILE -> {
                if (s.export().readOnly()) {
                    throw new ErrnoException("write", "read-only export", Errno.EROFS);
                }
                yield new Rwrite(f.open().write(m.offset(), m.data()));
            }
            case XATTR_WRITE -> new Rwrite(XattrOps.write(f, m.offset(), m.data()));
            case AUTH -> new Rwrite(f.auth().write(m.data()));
            case XATTR_READ -> throw new ErrnoException("write", "xattr being read", Errno.EBADF);
        };
    }

    /**
     * Treaddir: entries packed up to {@code count} (bounded by msize). Qids come from the
     * entry's d_ino on the directory's device, as QEMU does without stat'ing each entry; an
     * entry that is a mount point therefore has the inode of the covered directory until walked.
     */
    static Rreaddir readdir(Session s, Request r, Treaddir m) throws IOException {
        Fid f = s.fid(r, m.fid());
        NodeRef dir = f.node();
        OpenFile file = f.open();
        int budget = (int) Math.min(Integer.toUnsignedLong(m.count()), s.msize() - RREAD_HEADER);
        DirEntryWriter out = new DirEntryWriter(budget);
        QidMap.Device device = s.qids().device(dir.node.dev());
        file.readdir(m.offset(), budget, (ino, dtype, next, name, off, len) -> out.add(
                dtype == DT_DIR ? P9.QTDIR : dtype == DT_LNK ? P9.QTSYMLINK : P9.QTFILE,
                device.path(ino), next, dtype, name, off, len));
        return new Rreaddir(out.toBytes());
    }

    static Rfsync fsync(Session s, Request r, Tfsync m) throws IOException {
        Fid f = s.fid(r, m.fid());
        f.open().fsync(m.datasync() != 0);
        return new Rfsync();
    }
}
