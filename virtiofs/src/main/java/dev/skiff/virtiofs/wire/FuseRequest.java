package dev.skiff.virtiofs.wire;

import java.util.List;

/**
 * The request bodies this server decodes, one record per opcode (fuse.h's {@code fuse_*_in}
 * structs and the names that follow them). A few opcodes that share a body and differ only in
 * what they act on share a record with a flag ({@code dir} for the *DIR variants; RENAME is
 * RENAME2 with flags 0). Every field is a copy: nothing refers to guest memory.
 */
public sealed interface FuseRequest {
    /** fuse_init_in: major, minor, max_readahead, flags (flags2 is ignored: we offer nothing there). */
    record Init(int major, int minor, int maxReadahead, int flags) implements FuseRequest {}

    record Lookup(String name) implements FuseRequest {}

    record Forget(long nlookup) implements FuseRequest {}

    record BatchForget(List<ForgetOne> forgets) implements FuseRequest {}

    /** struct fuse_forget_one. */
    record ForgetOne(long nodeid, long nlookup) {}

    record Getattr(int getattrFlags, long fh) implements FuseRequest {}

    /** fuse_setattr_in: {@code valid} is FATTR_* bits; the other fields count only where set. */
    record Setattr(int valid, long fh, long size, long atime, long mtime, int atimensec,
            int mtimensec, int mode, int uid, int gid) implements FuseRequest {
        public boolean has(int bit) {
            return (valid & bit) != 0;
        }
    }

    record Readlink() implements FuseRequest {}

    record Symlink(String name, String target) implements FuseRequest {}

    record Mknod(int mode, int rdev, int umask, String name) implements FuseRequest {}

    record Mkdir(int mode, int umask, String name) implements FuseRequest {}

    /** UNLINK ({@code dir} false) and RMDIR. */
    record Unlink(String name, boolean dir) implements FuseRequest {}

    /** RENAME (flags 0) and RENAME2. */
    record Rename(long newdir, int flags, String oldName, String newName) implements FuseRequest {}

    record Link(long oldNodeid, String name) implements FuseRequest {}

    /** OPEN and OPENDIR: Linux open flags of the guest. */
    /** @param killSuidgid FUSE_OPEN_KILL_SUIDGID: an O_TRUNC open that must drop set-id bits */
    record Open(int flags, boolean dir, boolean killSuidgid) implements FuseRequest {}

    record Read(long fh, long offset, int size) implements FuseRequest {}

    /** @param data slices of guest memory, exactly the write's bytes (the guest may change them meanwhile: its loss) */
    record Write(long fh, long offset, java.util.List<java.lang.foreign.MemorySegment> data, boolean killSuidgid)
            implements FuseRequest {
        public Write {
            data = java.util.List.copyOf(data);
        }
    }

    record Statfs() implements FuseRequest {}

    /** RELEASE and RELEASEDIR. */
    record Release(long fh, boolean dir) implements FuseRequest {}

    /** FSYNC and FSYNCDIR. */
    record Fsync(long fh, boolean datasync) implements FuseRequest {}

    record Setxattr(String name, byte[] value, int flags) implements FuseRequest {}

    record Getxattr(String name, int size) implements FuseRequest {}

    record Listxattr(int size) implements FuseRequest {}

    record Removexattr(String name) implements FuseRequest {}

    record Flush(long fh, long lockOwner) implements FuseRequest {}

    record Readdir(long fh, long offset, int size) implements FuseRequest {}

    record Getlk(long fh, long owner, FileLock lock, int lkFlags) implements FuseRequest {}

    /** SETLK and SETLKW ({@code sleep}). */
    record Setlk(long fh, long owner, FileLock lock, int lkFlags, boolean sleep) implements FuseRequest {}

    record Access(int mask) implements FuseRequest {}

    record Create(int flags, int mode, int umask, String name) implements FuseRequest {}

    record Interrupt(long unique) implements FuseRequest {}

    record Destroy() implements FuseRequest {}

    /** Any opcode this server does not serve (answered ENOSYS). */
    record Unsupported(int opcode) implements FuseRequest {}
}
