package dev.skiff.agent.api;

/**
 * Go's {@code os.FileMode} bits, as Docker's {@code X-Docker-Container-Path-Stat} header carries
 * them (moby {@code container.PathStat.Mode}), made from a Linux {@code st_mode} exactly as Go's
 * {@code fillFileStatFromSys} (os/stat_linux.go) does: the type in the high bits, then setuid,
 * setgid and sticky, then the nine permission bits.
 */
public final class GoFileMode {
    private GoFileMode() {}

    public static final int DIR = 1 << 31, SYMLINK = 1 << 27, DEVICE = 1 << 26, NAMED_PIPE = 1 << 25,
            SOCKET = 1 << 24, SETUID = 1 << 23, SETGID = 1 << 22, CHAR_DEVICE = 1 << 21, STICKY = 1 << 20;

    private static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFBLK = 060000,
            S_IFDIR = 040000, S_IFCHR = 020000, S_IFIFO = 010000;

    /** The Go FileMode of a Linux mode (type and permission bits of {@code stat.st_mode}). */
    public static int of(int stMode) {
        int mode = stMode & 0777;
        mode |= switch (stMode & S_IFMT) {
            case S_IFBLK -> DEVICE;
            case S_IFCHR -> DEVICE | CHAR_DEVICE;
            case S_IFDIR -> DIR;
            case S_IFIFO -> NAMED_PIPE;
            case S_IFLNK -> SYMLINK;
            case S_IFSOCK -> SOCKET;
            default -> 0;
        };
        if ((stMode & 04000) != 0) {
            mode |= SETUID;
        }
        if ((stMode & 02000) != 0) {
            mode |= SETGID;
        }
        if ((stMode & 01000) != 0) {
            mode |= STICKY;
        }
        return mode;
    }

    public static boolean isDir(int goMode) {
        return (goMode & DIR) != 0;
    }
}
