package dev.skiff.virtiofs.wire;

/**
 * struct fuse_file_lock: a POSIX byte range whose {@code end} is inclusive ({@link Fuse#OFFSET_MAX}
 * for "to the end of the file"), a type F_RDLCK/F_WRLCK/F_UNLCK and the holder's pid.
 */
public record FileLock(long start, long end, int type, int pid) {}
