package dev.skiff.virtiofs.wire;

/**
 * FUSE protocol constants, named as in Linux include/uapi/linux/fuse.h (protocol 7.31 and
 * later; the guest kernel of Debian 12, 6.1, speaks 7.37). All fields are little-endian.
 */
public final class Fuse {
    private Fuse() {}

    public static final int KERNEL_VERSION = 7;
    /** The minor version this server replies with, and the oldest it accepts. */
    public static final int KERNEL_MINOR_VERSION = 33; // 7.33: HANDLE_KILLPRIV_V2 and its kill flags
    /** The oldest kernel protocol served (7.31: Linux 5.4's virtiofs). */
    public static final int OLDEST_MINOR_VERSION = 31;

    /** struct fuse_in_header: len, opcode, unique, nodeid, uid, gid, pid, total_extlen, padding. */
    public static final int IN_HEADER_SIZE = 40;
    /** fuse_write_in: fh, offset, size, write_flags, lock_owner, flags, padding. */
    public static final int WRITE_IN_SIZE = 40;
    /** fuse_write_in.write_flags: the writer may not keep set-id bits (HANDLE_KILLPRIV_V2). */
    public static final int WRITE_KILL_SUIDGID = 1 << 2;
    /** fuse_open_in / fuse_create_in open_flags: an O_TRUNC open by a writer without CAP_FSETID. */
    public static final int OPEN_KILL_SUIDGID = 1;
    /** struct fuse_out_header: len, error (-errno), unique. */
    public static final int OUT_HEADER_SIZE = 16;
    /** FUSE_ROOT_ID. */
    public static final long ROOT_ID = 1;
    /** OFFSET_MAX as fuse_file_lock carries it: the lock reaches the end of the file. */
    public static final long OFFSET_MAX = Long.MAX_VALUE;

    // enum fuse_opcode
    public static final int LOOKUP = 1, FORGET = 2, GETATTR = 3, SETATTR = 4, READLINK = 5,
            SYMLINK = 6, MKNOD = 8, MKDIR = 9, UNLINK = 10, RMDIR = 11, RENAME = 12, LINK = 13,
            OPEN = 14, READ = 15, WRITE = 16, STATFS = 17, RELEASE = 18, FSYNC = 20,
            SETXATTR = 21, GETXATTR = 22, LISTXATTR = 23, REMOVEXATTR = 24, FLUSH = 25, INIT = 26,
            OPENDIR = 27, READDIR = 28, RELEASEDIR = 29, FSYNCDIR = 30, GETLK = 31, SETLK = 32,
            SETLKW = 33, ACCESS = 34, CREATE = 35, INTERRUPT = 36, BMAP = 37, DESTROY = 38,
            IOCTL = 39, POLL = 40, NOTIFY_REPLY = 41, BATCH_FORGET = 42, FALLOCATE = 43,
            READDIRPLUS = 44, RENAME2 = 45, LSEEK = 46, COPY_FILE_RANGE = 47, SETUPMAPPING = 48,
            REMOVEMAPPING = 49, SYNCFS = 50, TMPFILE = 51;

    // fuse_init_in/out flags
    public static final int ASYNC_READ = 1, POSIX_LOCKS = 1 << 1, ATOMIC_O_TRUNC = 1 << 3,
            EXPORT_SUPPORT = 1 << 4, BIG_WRITES = 1 << 5, DONT_MASK = 1 << 6,
            FLOCK_LOCKS = 1 << 10, DO_READDIRPLUS = 1 << 13, WRITEBACK_CACHE = 1 << 16,
            PARALLEL_DIROPS = 1 << 18, HANDLE_KILLPRIV = 1 << 19, MAX_PAGES = 1 << 22, HANDLE_KILLPRIV_V2 = 1 << 28,
            SETXATTR_EXT = 1 << 29, INIT_EXT = 1 << 30;

    // fuse_setattr_in.valid
    public static final int FATTR_MODE = 1, FATTR_UID = 1 << 1, FATTR_GID = 1 << 2,
            FATTR_SIZE = 1 << 3, FATTR_ATIME = 1 << 4, FATTR_MTIME = 1 << 5, FATTR_FH = 1 << 6,
            FATTR_ATIME_NOW = 1 << 7, FATTR_MTIME_NOW = 1 << 8, FATTR_LOCKOWNER = 1 << 9,
            FATTR_CTIME = 1 << 10, FATTR_KILL_SUIDGID = 1 << 11;

    /** fuse_getattr_in.getattr_flags: fh is valid. */
    public static final int GETATTR_FH = 1;
    /** fuse_fsync_in.fsync_flags. */
    public static final int FSYNC_FDATASYNC = 1;
    /** fuse_lk_in.lk_flags: the lock is a flock(2) lock. */
    public static final int LK_FLOCK = 1;
    /** fuse_open_out.open_flags we never set: FOPEN_DIRECT_IO = 1, FOPEN_KEEP_CACHE = 2. */
    public static final int FOPEN_DIRECT_IO = 1, FOPEN_KEEP_CACHE = 2;

    /** FUSE_NAME_OFFSET: the fixed part of struct fuse_dirent (ino, off, namelen, type). */
    public static final int DIRENT_HEADER = 24;

    /** Size of struct fuse_attr. */
    public static final int ATTR_SIZE = 88;
    /** Size of struct fuse_entry_out: nodeid, generation, two timeouts and their nsec, attr. */
    public static final int ENTRY_OUT_SIZE = 40 + ATTR_SIZE;
    public static final int ATTR_OUT_SIZE = 16 + ATTR_SIZE;
    public static final int OPEN_OUT_SIZE = 16;
    public static final int INIT_OUT_SIZE = 64;
    public static final int STATFS_OUT_SIZE = 80;
    public static final int LK_OUT_SIZE = 24;

    /** The opcode's name as fuse.h spells it, for log lines. */
    public static String name(int opcode) {
        return switch (opcode) {
            case LOOKUP -> "LOOKUP"; case FORGET -> "FORGET"; case GETATTR -> "GETATTR";
            case SETATTR -> "SETATTR"; case READLINK -> "READLINK"; case SYMLINK -> "SYMLINK";
            case MKNOD -> "MKNOD"; case MKDIR -> "MKDIR"; case UNLINK -> "UNLINK";
            case RMDIR -> "RMDIR"; case RENAME -> "RENAME"; case LINK -> "LINK"; case OPEN -> "OPEN";
            case READ -> "READ"; case WRITE -> "WRITE"; case STATFS -> "STATFS";
            case RELEASE -> "RELEASE"; case FSYNC -> "FSYNC"; case SETXATTR -> "SETXATTR";
            case GETXATTR -> "GETXATTR"; case LISTXATTR -> "LISTXATTR";
            case REMOVEXATTR -> "REMOVEXATTR"; case FLUSH -> "FLUSH"; case INIT -> "INIT";
            case OPENDIR -> "OPENDIR"; case READDIR -> "READDIR"; case RELEASEDIR -> "RELEASEDIR";
            case FSYNCDIR -> "FSYNCDIR"; case GETLK -> "GETLK"; case SETLK -> "SETLK";
            case SETLKW -> "SETLKW"; case ACCESS -> "ACCESS"; case CREATE -> "CREATE";
            case INTERRUPT -> "INTERRUPT"; case DESTROY -> "DESTROY";
            case BATCH_FORGET -> "BATCH_FORGET"; case RENAME2 -> "RENAME2";
            default -> "opcode " + opcode;
        };
    }
}
