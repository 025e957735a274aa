package dev.skiff.sys;

/**
 * The host's open(2) flag values. x86-64 uses the asm-generic values; arm64 differs for
 * O_DIRECTORY, O_NOFOLLOW, O_DIRECT and O_LARGEFILE (arch/arm64/include/uapi/asm/fcntl.h).
 */
public final class OpenFlags {
    private OpenFlags() {}

    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3;
    public static final int O_CREAT = 0100, O_EXCL = 0200, O_NOCTTY = 0400, O_TRUNC = 01000,
            O_APPEND = 02000, O_NONBLOCK = 04000, O_DSYNC = 010000, O_ASYNC = 020000,
            O_NOATIME = 01000000, O_CLOEXEC = 02000000, O_SYNC = 04010000, O_PATH = 010000000,
            O_TMPFILE_BIT = 020000000;
    public static final int O_DIRECT = Calls.AARCH64 ? 0200000 : 040000;
    public static final int O_LARGEFILE = Calls.AARCH64 ? 0400000 : 0100000;
    public static final int O_DIRECTORY = Calls.AARCH64 ? 040000 : 0200000;
    public static final int O_NOFOLLOW = Calls.AARCH64 ? 0100000 : 0400000;
}
