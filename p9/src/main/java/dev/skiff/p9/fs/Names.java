package dev.skiff.p9.fs;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import java.nio.charset.StandardCharsets;

/**
 * Checks the path components a client sends. A component never contains {@code /} or NUL
 * and is never empty: such names are refused with ENOENT, as QEMU's name_is_illegal() does
 * (hw/9pfs/9p.c). Creating {@code .} or {@code ..} is EEXIST; removing them EINVAL/ENOTEMPTY,
 * as unlinkat(2) would say; renaming them EISDIR (QEMU v9fs_renameat).
 *
 * <p>Shared by every protocol served from a {@link FileSystem} (9P, FUSE), since the backends
 * rely on these checks ({@link FileSystem}'s contract on {@code name}).
 */
public final class Names {
    private Names() {}

    /** NAME_MAX, include/uapi/linux/limits.h. */
    public static final int NAME_MAX = 255;
    /** PATH_MAX, the longest symlink target accepted. */
    public static final int PATH_MAX = 4096;

    public static void checkWalk(String name) throws ErrnoException {
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new ErrnoException("walk", "illegal name", Errno.ENOENT);
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
            throw new ErrnoException("walk", "name", Errno.ENAMETOOLONG);
        }
    }

    public static void checkCreate(String name) throws ErrnoException {
        checkWalk(name);
        if (name.equals(".") || name.equals("..")) {
            throw new ErrnoException("create", name, Errno.EEXIST);
        }
    }

    public static void checkUnlink(String name) throws ErrnoException {
        checkWalk(name);
        if (name.equals(".")) {
            throw new ErrnoException("unlink", name, Errno.EINVAL);
        }
        if (name.equals("..")) {
            throw new ErrnoException("unlink", name, Errno.ENOTEMPTY);
        }
    }

    public static void checkRename(String name) throws ErrnoException {
        checkWalk(name);
        if (name.equals(".") || name.equals("..")) {
            throw new ErrnoException("rename", name, Errno.EISDIR);
        }
    }

    public static void checkTarget(String target) throws ErrnoException {
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
            throw new ErrnoException("symlink", "target", Errno.ENOENT);
        }
        if (target.getBytes(StandardCharsets.UTF_8).length >= PATH_MAX) {
            throw new ErrnoException("symlink", "target", Errno.ENAMETOOLONG);
        }
    }
}
