package dev.skiff.p9.fs.mapped;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;

/**
 * Turns java.nio.file exceptions into the errno a Linux client expects. java.nio reports some
 * failures only through a FileSystemException's reason text (the host's strerror), so those are
 * matched by text; anything unrecognised is EIO.
 */
final class NioErrors {
    private NioErrors() {}

    interface Io<T> {
        T run() throws IOException;
    }

    interface VoidIo {
        void run() throws IOException;
    }

    static <T> T io(String verb, Object what, Io<T> op) throws ErrnoException {
        try {
            return op.run();
        } catch (ErrnoException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException | java.nio.channels.NonWritableChannelException
                | java.nio.channels.NonReadableChannelException e) {
            throw new ErrnoException(verb, String.valueOf(what), errno(e));
        }
    }

    static void run(String verb, Object what, VoidIo op) throws ErrnoException {
        io(verb, what, () -> {
            op.run();
            return null;
        });
    }

    static int errno(Exception e) {
        return switch (e) {
            case NoSuchFileException x -> Errno.ENOENT;
            case FileAlreadyExistsException x -> Errno.EEXIST;
            case DirectoryNotEmptyException x -> Errno.ENOTEMPTY;
            case NotDirectoryException x -> Errno.ENOTDIR;
            case AccessDeniedException x -> Errno.EACCES;
            case NotLinkException x -> Errno.EINVAL;
            case FileSystemLoopException x -> Errno.ELOOP;
            case UnsupportedOperationException x -> Errno.EOPNOTSUPP;
            case java.nio.channels.NonWritableChannelException x -> Errno.EBADF;
            case java.nio.channels.NonReadableChannelException x -> Errno.EBADF;
            case FileSystemException x -> byReason(x.getReason());
            default -> Errno.EIO;
        };
    }

    private static int byReason(String reason) {
        if (reason == null) {
            return Errno.EIO;
        }
        String r = reason.toLowerCase(java.util.Locale.ROOT);
        if (r.contains("is a directory")) return Errno.EISDIR;
        if (r.contains("not a directory")) return Errno.ENOTDIR;
        if (r.contains("too many levels") || r.contains("symbolic link")) return Errno.ELOOP;
        if (r.contains("not empty")) return Errno.ENOTEMPTY;
        if (r.contains("not permitted")) return Errno.EPERM;
        if (r.contains("no data") || r.contains("attribute not found")) return Errno.ENODATA;
        if (r.contains("exists")) return Errno.EEXIST;
        if (r.contains("invalid argument")) return Errno.EINVAL;
        if (r.contains("no space")) return Errno.ENOSPC;
        if (r.contains("cross-device")) return Errno.EXDEV;
        if (r.contains("too long")) return Errno.ENAMETOOLONG;
        if (r.contains("not supported")) return Errno.EOPNOTSUPP;
        return Errno.EIO;
    }
}
