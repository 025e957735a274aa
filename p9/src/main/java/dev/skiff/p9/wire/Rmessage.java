package dev.skiff.p9.wire;

import java.util.List;

/** The replies of 9P2000.L and of the 9P2000 base messages it uses; one record per message. */
public sealed interface Rmessage extends Message {

    /** Rlerror ecode[4]: a Linux errno. */
    record Rlerror(int ecode) implements Rmessage {
        public int type() { return P9.RLERROR; }
    }

    /** Rversion msize[4] version[s]. */
    record Rversion(int msize, String version) implements Rmessage {
        public int type() { return P9.RVERSION; }
    }

    /** Rauth aqid[13]. */
    record Rauth(Qid aqid) implements Rmessage {
        public int type() { return P9.RAUTH; }
    }

    /** Rattach qid[13]. */
    record Rattach(Qid qid) implements Rmessage {
        public int type() { return P9.RATTACH; }
    }

    /** Rflush. */
    record Rflush() implements Rmessage {
        public int type() { return P9.RFLUSH; }
    }

    /** Rwalk nwqid[2] nwqid*(wqid[13]). */
    record Rwalk(List<Qid> qids) implements Rmessage {
        public Rwalk {
            qids = List.copyOf(qids);
        }
        public int type() { return P9.RWALK; }
    }

    /** Rread count[4] data[count]. */
    record Rread(byte[] data) implements Rmessage {
        public int type() { return P9.RREAD; }
    }

    /** Rwrite count[4]. */
    record Rwrite(int count) implements Rmessage {
        public int type() { return P9.RWRITE; }
    }

    /** Rclunk. */
    record Rclunk() implements Rmessage {
        public int type() { return P9.RCLUNK; }
    }

    /** Rremove. */
    record Rremove() implements Rmessage {
        public int type() { return P9.RREMOVE; }
    }

    /** Rstatfs type[4] bsize[4] blocks[8] bfree[8] bavail[8] files[8] ffree[8] fsid[8] namelen[4]. */
    record Rstatfs(int fsType, int bsize, long blocks, long bfree, long bavail, long files,
            long ffree, long fsid, int namelen) implements Rmessage {
        public int type() { return P9.RSTATFS; }
    }

    /** Rlopen qid[13] iounit[4]. */
    record Rlopen(Qid qid, int iounit) implements Rmessage {
        public int type() { return P9.RLOPEN; }
    }

    /** Rlcreate qid[13] iounit[4]. */
    record Rlcreate(Qid qid, int iounit) implements Rmessage {
        public int type() { return P9.RLCREATE; }
    }

    /** Rsymlink qid[13]. */
    record Rsymlink(Qid qid) implements Rmessage {
        public int type() { return P9.RSYMLINK; }
    }

    /** Rmknod qid[13]. */
    record Rmknod(Qid qid) implements Rmessage {
        public int type() { return P9.RMKNOD; }
    }

    /** Rrename. */
    record Rrename() implements Rmessage {
        public int type() { return P9.RRENAME; }
    }

    /** Rreadlink target[s]. */
    record Rreadlink(String target) implements Rmessage {
        public int type() { return P9.RREADLINK; }
    }

    /**
     * Rgetattr valid[8] qid[13] mode[4] uid[4] gid[4] nlink[8] rdev[8] size[8] blksize[8]
     * blocks[8] atime_sec[8] atime_nsec[8] mtime_sec[8] mtime_nsec[8] ctime_sec[8]
     * ctime_nsec[8] btime_sec[8] btime_nsec[8] gen[8] data_version[8].
     */
    record Rgetattr(long valid, Qid qid, int mode, int uid, int gid, long nlink, long rdev,
            long size, long blksize, long blocks, long atimeSec, long atimeNsec, long mtimeSec,
            long mtimeNsec, long ctimeSec, long ctimeNsec, long btimeSec, long btimeNsec,
            long gen, long dataVersion) implements Rmessage {
        public int type() { return P9.RGETATTR; }
    }

    /** Rsetattr. */
    record Rsetattr() implements Rmessage {
        public int type() { return P9.RSETATTR; }
    }

    /** Rxattrwalk size[8]. */
    record Rxattrwalk(long size) implements Rmessage {
        public int type() { return P9.RXATTRWALK; }
    }

    /** Rxattrcreate. */
    record Rxattrcreate() implements Rmessage {
        public int type() { return P9.RXATTRCREATE; }
    }

    /** Rreaddir count[4] data[count]: packed {@link DirEntry} records. */
    record Rreaddir(byte[] data) implements Rmessage {
        public int type() { return P9.RREADDIR; }
    }

    /** Rfsync. */
    record Rfsync() implements Rmessage {
        public int type() { return P9.RFSYNC; }
    }

    /** Rlock status[1]. */
    record Rlock(int status) implements Rmessage {
        public int type() { return P9.RLOCK; }
    }

    /** Rgetlock type[1] start[8] length[8] proc_id[4] client_id[s]. */
    record Rgetlock(int lockType, long start, long length, int procId, String clientId)
            implements Rmessage {
        public int type() { return P9.RGETLOCK; }
    }

    /** Rlink. */
    record Rlink() implements Rmessage {
        public int type() { return P9.RLINK; }
    }

    /** Rmkdir qid[13]. */
    record Rmkdir(Qid qid) implements Rmessage {
        public int type() { return P9.RMKDIR; }
    }

    /** Rrenameat. */
    record Rrenameat() implements Rmessage {
        public int type() { return P9.RRENAMEAT; }
    }

    /** Runlinkat. */
    record Runlinkat() implements Rmessage {
        public int type() { return P9.RUNLINKAT; }
    }
}
