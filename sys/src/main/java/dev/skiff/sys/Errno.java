package dev.skiff.sys;

/**
 * Linux errno values (x86-64 and arm64 agree on these; see include/uapi/asm-generic/errno-base.h
 * and errno.h). Names are kept verbatim so they can be grepped against the kernel source.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6,
            E2BIG = 7, ENOEXEC = 8, EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13,
            EFAULT = 14, ENOTBLK = 15, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19,
            ENOTDIR = 20, EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25,
            ETXTBSY = 26, EFBIG = 27, ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32,
            ERANGE = 34, EDEADLK = 35, ENAMETOOLONG = 36, ENOLCK = 37, ENOSYS = 38, ENOTEMPTY = 39,
            ELOOP = 40, ENODATA = 61, EOVERFLOW = 75, EBADFD = 77, EOPNOTSUPP = 95,
            ENOTSUP = 95, EADDRINUSE = 98, ECONNRESET = 104, ENOBUFS = 105, ETIMEDOUT = 110,
            ECONNREFUSED = 111, EALREADY = 114, EINPROGRESS = 115, ESTALE = 116, EDQUOT = 122,
            ECANCELED = 125, EPROTO = 71, EBADMSG = 74, EMSGSIZE = 90, ENOTCONN = 107;

    /** A short human text for an errno, as strerror(3) would give for the common ones. */
    public static String describe(int errno) {
        String text = switch (errno) {
            case EPERM -> "operation not permitted";
            case ENOENT -> "no such file or directory";
            case EINTR -> "interrupted system call";
            case EIO -> "input/output error";
            case EBADF -> "bad file descriptor";
            case EAGAIN -> "resource temporarily unavailable";
            case ENOMEM -> "cannot allocate memory";
            case EACCES -> "permission denied";
            case EBUSY -> "device or resource busy";
            case EEXIST -> "file exists";
            case EXDEV -> "invalid cross-device link";
            case ENODEV -> "no such device";
            case ENOTDIR -> "not a directory";
            case EISDIR -> "is a directory";
            case EINVAL -> "invalid argument";
            case ENOSPC -> "no space left on device";
            case EROFS -> "read-only file system";
            case ENAMETOOLONG -> "file name too long";
            case ENOSYS -> "function not implemented";
            case ENOTEMPTY -> "directory not empty";
            case ELOOP -> "too many levels of symbolic links";
            case ENODATA -> "no data available";
            case EOPNOTSUPP -> "operation not supported";
            case ENOEXEC -> "exec format error";
            default -> null;
        };
        return text == null ? "errno " + errno : text + " (errno " + errno + ")";
    }
}
