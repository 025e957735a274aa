package dev.skiff.virtiofs.wire;

import dev.skiff.p9.fs.Attr;
import dev.skiff.p9.fs.StatFs;

/**
 * What the server answers, one record per {@code fuse_*_out} struct ({@link ReplyWriter} encodes
 * them after the fuse_out_header). Timeouts are in nanoseconds and split into the seconds and
 * nanoseconds fields by the encoder.
 */
public sealed interface FuseReply {
    /** No reply at all: FORGET, BATCH_FORGET and INTERRUPT are completed with 0 bytes. */
    record None() implements FuseReply {}

    /** The header alone with error = -errno. */
    record Error(int errno) implements FuseReply {}

    /** The header alone, success: UNLINK, RENAME, RELEASE, FLUSH, FSYNC, SETLK, the xattr changes. */
    record Empty() implements FuseReply {}

    /** fuse_init_out. */
    record InitOut(int major, int minor, int maxReadahead, int flags, int maxBackground,
            int congestionThreshold, int maxWrite, int timeGran, int maxPages) implements FuseReply {}

    /** fuse_entry_out. */
    record EntryOut(long nodeid, long generation, long entryValidNanos, long attrValidNanos, Attr attr)
            implements FuseReply {}

    /** fuse_attr_out. */
    record AttrOut(long attrValidNanos, Attr attr) implements FuseReply {}

    /** fuse_open_out. */
    record OpenOut(long fh, int openFlags) implements FuseReply {}

    /** CREATE's reply: fuse_entry_out then fuse_open_out. */
    record CreateOut(EntryOut entry, OpenOut open) implements FuseReply {}

    /** fuse_write_out. */
    record WriteOut(int size) implements FuseReply {}

    /** fuse_statfs_out (struct fuse_kstatfs). */
    record StatfsOut(StatFs st) implements FuseReply {}

    /** fuse_getxattr_out: the size a GETXATTR/LISTXATTR with size 0 asked for. */
    record XattrSize(int size) implements FuseReply {}

    /** fuse_lk_out. */
    record LkOut(FileLock lock) implements FuseReply {}

    /** Raw bytes: READLINK's target, an xattr value or list, READDIR's packed fuse_dirents. */
    record Data(byte[] data, int length) implements FuseReply {
        public Data(byte[] data) {
            this(data, data.length);
        }
    }

    /** READ: {@code length} bytes already written straight after the header's place. */
    record InPlace(int length) implements FuseReply {}
}
