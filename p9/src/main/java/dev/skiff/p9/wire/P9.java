package dev.skiff.p9.wire;

/**
 * Protocol constants of 9P2000.L, named as in Linux include/net/9p/9p.h and diod's
 * protocol.md: message types, qid types, special tags and fids, getattr/setattr masks,
 * lock types and the P9_DOTL open flags.
 */
public final class P9 {
    private P9() {}

    public static final String VERSION_9P2000_L = "9P2000.L";
    public static final String VERSION_UNKNOWN = "unknown";

    /** size[4] type[1] tag[2]. */
    public static final int HEADER_SIZE = 7;
    /** P9_IOHDRSZ: the header of Twrite/Rread (size type tag fid offset count), for iounit. */
    public static final int IOHDRSZ = 24;
    /** The largest msize this implementation negotiates: 1 MiB. */
    public static final int MAX_MSIZE = 1 << 20;
    /** The smallest msize accepted; below it no useful Rread fits. */
    public static final int MIN_MSIZE = 4096;
    /** MAXWELEM: the most names in one Twalk. */
    public static final int MAXWELEM = 16;

    public static final int NOTAG = 0xffff;
    public static final int NOFID = 0xffffffff;
    public static final int NONUNAME = 0xffffffff;

    // Message types (enum p9_msg_t).
    public static final int TLERROR = 6, RLERROR = 7, TSTATFS = 8, RSTATFS = 9, TLOPEN = 12,
            RLOPEN = 13, TLCREATE = 14, RLCREATE = 15, TSYMLINK = 16, RSYMLINK = 17, TMKNOD = 18,
            RMKNOD = 19, TRENAME = 20, RRENAME = 21, TREADLINK = 22, RREADLINK = 23,
            TGETATTR = 24, RGETATTR = 25, TSETATTR = 26, RSETATTR = 27, TXATTRWALK = 30,
            RXATTRWALK = 31, TXATTRCREATE = 32, RXATTRCREATE = 33, TREADDIR = 40, RREADDIR = 41,
            TFSYNC = 50, RFSYNC = 51, TLOCK = 52, RLOCK = 53, TGETLOCK = 54, RGETLOCK = 55,
            TLINK = 70, RLINK = 71, TMKDIR = 72, RMKDIR = 73, TRENAMEAT = 74, RRENAMEAT = 75,
            TUNLINKAT = 76, RUNLINKAT = 77, TVERSION = 100, RVERSION = 101, TAUTH = 102,
            RAUTH = 103, TATTACH = 104, RATTACH = 105, TERROR = 106, RERROR = 107, TFLUSH = 108,
            RFLUSH = 109, TWALK = 110, RWALK = 111, TOPEN = 112, ROPEN = 113, TCREATE = 114,
            RCREATE = 115, TREAD = 116, RREAD = 117, TWRITE = 118, RWRITE = 119, TCLUNK = 120,
            RCLUNK = 121, TREMOVE = 122, RREMOVE = 123, TSTAT = 124, RSTAT = 125, TWSTAT = 126,
            RWSTAT = 127;

    // Qid types.
    public static final int QTDIR = 0x80, QTAPPEND = 0x40, QTEXCL = 0x20, QTAUTH = 0x08,
            QTTMP = 0x04, QTSYMLINK = 0x02, QTFILE = 0x00;

    // Tgetattr request_mask / Rgetattr valid.
    public static final long GETATTR_MODE = 0x1, GETATTR_NLINK = 0x2, GETATTR_UID = 0x4,
            GETATTR_GID = 0x8, GETATTR_RDEV = 0x10, GETATTR_ATIME = 0x20, GETATTR_MTIME = 0x40,
            GETATTR_CTIME = 0x80, GETATTR_INO = 0x100, GETATTR_SIZE = 0x200,
            GETATTR_BLOCKS = 0x400, GETATTR_BTIME = 0x800, GETATTR_GEN = 0x1000,
            GETATTR_DATA_VERSION = 0x2000, GETATTR_BASIC = 0x7ff, GETATTR_ALL = 0x3fff;

    // Tsetattr valid.
    public static final int SETATTR_MODE = 0x1, SETATTR_UID = 0x2, SETATTR_GID = 0x4,
            SETATTR_SIZE = 0x8, SETATTR_ATIME = 0x10, SETATTR_MTIME = 0x20,
            SETATTR_CTIME = 0x40, SETATTR_ATIME_SET = 0x80, SETATTR_MTIME_SET = 0x100;

    // Tlock / Tgetlock.
    public static final int LOCK_TYPE_RDLCK = 0, LOCK_TYPE_WRLCK = 1, LOCK_TYPE_UNLCK = 2;
    public static final int LOCK_FLAGS_BLOCK = 1, LOCK_FLAGS_RECLAIM = 2;
    public static final int LOCK_SUCCESS = 0, LOCK_BLOCKED = 1, LOCK_ERROR = 2, LOCK_GRACE = 3;

    /** Tunlinkat flags. */
    public static final int AT_REMOVEDIR = 0x200;

    // P9_DOTL open flags (Tlopen, Tlcreate): the asm-generic Linux values.
    public static final int DOTL_RDONLY = 0, DOTL_WRONLY = 1, DOTL_RDWR = 2, DOTL_NOACCESS = 3,
            DOTL_CREATE = 0100, DOTL_EXCL = 0200, DOTL_NOCTTY = 0400, DOTL_TRUNC = 01000,
            DOTL_APPEND = 02000, DOTL_NONBLOCK = 04000, DOTL_DSYNC = 010000,
            DOTL_FASYNC = 020000, DOTL_DIRECT = 040000, DOTL_LARGEFILE = 0100000,
            DOTL_DIRECTORY = 0200000, DOTL_NOFOLLOW = 0400000, DOTL_NOATIME = 01000000,
            DOTL_CLOEXEC = 02000000, DOTL_SYNC = 04000000;
}
