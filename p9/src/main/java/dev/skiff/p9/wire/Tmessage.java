package dev.skiff.p9.wire;

import java.util.List;

/**
 * The requests of 9P2000.L, plus the 9P2000 base requests the Linux client sends in .L mode
 * (version, auth, attach, flush, walk, read, write, clunk, remove). One record per message;
 * field names and order follow include/net/9p/9p.h and diod's protocol.md. Fids are unsigned
 * 32-bit values held in an int; 16-bit fields are held in an int in 0..65535.
 */
public sealed interface Tmessage extends Message {

    /** Tversion msize[4] version[s]. */
    record Tversion(int msize, String version) implements Tmessage {
        public int type() { return P9.TVERSION; }
    }

    /** Tauth afid[4] uname[s] aname[s] n_uname[4]. */
    record Tauth(int afid, String uname, String aname, int nUname) implements Tmessage {
        public int type() { return P9.TAUTH; }
    }

    /** Tattach fid[4] afid[4] uname[s] aname[s] n_uname[4]. */
    record Tattach(int fid, int afid, String uname, String aname, int nUname) implements Tmessage {
        public int type() { return P9.TATTACH; }
    }

    /** Tflush oldtag[2]. */
    record Tflush(int oldtag) implements Tmessage {
        public int type() { return P9.TFLUSH; }
    }

    /** Twalk fid[4] newfid[4] nwname[2] nwname*(wname[s]). */
    record Twalk(int fid, int newfid, List<String> names) implements Tmessage {
        public Twalk {
            names = List.copyOf(names);
        }
        public int type() { return P9.TWALK; }
    }

    /** Tread fid[4] offset[8] count[4]. */
    record Tread(int fid, long offset, int count) implements Tmessage {
        public int type() { return P9.TREAD; }
    }

    /** Twrite fid[4] offset[8] count[4] data[count]. The array is owned by the record. */
    record Twrite(int fid, long offset, byte[] data) implements Tmessage {
        public int type() { return P9.TWRITE; }
    }

    /** Tclunk fid[4]. */
    record Tclunk(int fid) implements Tmessage {
        public int type() { return P9.TCLUNK; }
    }

    /** Tremove fid[4]. */
    record Tremove(int fid) implements Tmessage {
        public int type() { return P9.TREMOVE; }
    }

    /** Tstatfs fid[4]. */
    record Tstatfs(int fid) implements Tmessage {
        public int type() { return P9.TSTATFS; }
    }

    /** Tlopen fid[4] flags[4]. */
    record Tlopen(int fid, int flags) implements Tmessage {
        public int type() { return P9.TLOPEN; }
    }

    /** Tlcreate fid[4] name[s] flags[4] mode[4] gid[4]. */
    record Tlcreate(int fid, String name, int flags, int mode, int gid) implements Tmessage {
        public int type() { return P9.TLCREATE; }
    }

    /** Tsymlink fid[4] name[s] symtgt[s] gid[4]. */
    record Tsymlink(int fid, String name, String target, int gid) implements Tmessage {
        public int type() { return P9.TSYMLINK; }
    }

    /** Tmknod dfid[4] name[s] mode[4] major[4] minor[4] gid[4]. */
    record Tmknod(int dfid, String name, int mode, int major, int minor, int gid) implements Tmessage {
        public int type() { return P9.TMKNOD; }
    }

    /** Trename fid[4] dfid[4] name[s]. */
    record Trename(int fid, int dfid, String name) implements Tmessage {
        public int type() { return P9.TRENAME; }
    }

    /** Treadlink fid[4]. */
    record Treadlink(int fid) implements Tmessage {
        public int type() { return P9.TREADLINK; }
    }

    /** Tgetattr fid[4] request_mask[8]. */
    record Tgetattr(int fid, long requestMask) implements Tmessage {
        public int type() { return P9.TGETATTR; }
    }

    /**
     * Tsetattr fid[4] valid[4] mode[4] uid[4] gid[4] size[8] atime_sec[8] atime_nsec[8]
     * mtime_sec[8] mtime_nsec[8].
     */
    record Tsetattr(int fid, int valid, int mode, int uid, int gid, long size, long atimeSec,
            long atimeNsec, long mtimeSec, long mtimeNsec) implements Tmessage {
        public int type() { return P9.TSETATTR; }
    }

    /** Txattrwalk fid[4] newfid[4] name[s]; an empty name lists the attributes. */
    record Txattrwalk(int fid, int newfid, String name) implements Tmessage {
        public int type() { return P9.TXATTRWALK; }
    }

    /** Txattrcreate fid[4] name[s] attr_size[8] flags[4]. */
    record Txattrcreate(int fid, String name, long attrSize, int flags) implements Tmessage {
        public int type() { return P9.TXATTRCREATE; }
    }

    /** Treaddir fid[4] offset[8] count[4]. */
    record Treaddir(int fid, long offset, int count) implements Tmessage {
        public int type() { return P9.TREADDIR; }
    }

    /** Tfsync fid[4] datasync[4]. */
    record Tfsync(int fid, int datasync) implements Tmessage {
        public int type() { return P9.TFSYNC; }
    }

    /** Tlock fid[4] type[1] flags[4] start[8] length[8] proc_id[4] client_id[s]. */
    record Tlock(int fid, int lockType, int flags, long start, long length, int procId,
            String clientId) implements Tmessage {
        public int type() { return P9.TLOCK; }
    }

    /** Tgetlock fid[4] type[1] start[8] length[8] proc_id[4] client_id[s]. */
    record Tgetlock(int fid, int lockType, long start, long length, int procId, String clientId)
            implements Tmessage {
        public int type() { return P9.TGETLOCK; }
    }

    /** Tlink dfid[4] fid[4] name[s]. */
    record Tlink(int dfid, int fid, String name) implements Tmessage {
        public int type() { return P9.TLINK; }
    }

    /** Tmkdir dfid[4] name[s] mode[4] gid[4]. */
    record Tmkdir(int dfid, String name, int mode, int gid) implements Tmessage {
        public int type() { return P9.TMKDIR; }
    }

    /** Trenameat olddirfid[4] oldname[s] newdirfid[4] newname[s]. */
    record Trenameat(int olddirfid, String oldname, int newdirfid, String newname) implements Tmessage {
        public int type() { return P9.TRENAMEAT; }
    }

    /** Tunlinkat dirfd[4] name[s] flags[4]. */
    record Tunlinkat(int dirfid, String name, int flags) implements Tmessage {
        public int type() { return P9.TUNLINKAT; }
    }
}
