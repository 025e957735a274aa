package dev.skiff.agent.archive;

import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Files;
import dev.skiff.sys.OpenFlags;
import dev.skiff.sys.Statx;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Path resolution inside a root directory descriptor: openat2 with RESOLVE_IN_ROOT (".." and
 * absolute symlinks stay at the root, as in a chroot) for paths, and one-name lookups beneath a
 * held directory (no symlink followed) for everything after. Each wrapper names the path.
 */
final class InRoot {
    private InRoot() {}

    static final long IN_ROOT = Fds.RESOLVE_IN_ROOT | Fds.RESOLVE_NO_MAGICLINKS;
    static final long ONE_NAME = Fds.RESOLVE_BENEATH | Fds.RESOLVE_NO_SYMLINKS | Fds.RESOLVE_NO_MAGICLINKS;
    /** Linux's MAXSYMLINKS for one walk, and moby's limit in FollowSymlinkInScope. */
    static final int MAX_LINKS = 40;

    /** Opens {@code path} (absolute or relative: both from the root) inside the root. */
    static int open(int rootFd, String path, int flags) throws ErrnoException {
        String rel = path.replaceFirst("^/+", "");
        return Fds.openat2(rootFd, rel.isEmpty() ? "." : rel, flags, 0, IN_ROOT);
    }

    /** Opens the directory at {@code path} inside the root, following symlinks (in scope). */
    static int openDir(int rootFd, String path) throws ErrnoException {
        return open(rootFd, path, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY);
    }

    /** Opens one entry of a directory without following it. */
    static int child(int dirFd, String name, int flags) throws ErrnoException {
        checkName(name);
        return Fds.openat2(dirFd, name, flags | OpenFlags.O_NOFOLLOW, 0, ONE_NAME);
    }

    /** The lstat of one entry of a directory; null if it does not exist. */
    static Statx lstat(int dirFd, String name) throws ErrnoException {
        checkName(name);
        try {
            return Files.statx(dirFd, name, Files.AT_SYMLINK_NOFOLLOW);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    static void checkName(String name) throws ErrnoException {
        if (name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new ErrnoException("lookup", name, Errno.EINVAL);
        }
    }


    /** The names in a directory (not "." and ".."), sorted as Go's os.ReadDir sorts them (by bytes). */
    static List<String> list(int dirFd) throws ErrnoException {
        int fd = Fds.openat2(dirFd, ".", OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY, 0, ONE_NAME);
        List<byte[]> names = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(32 * 1024);
            while (true) {
                long n = Fds.getdents64(fd, buf, buf.byteSize());
                if (n <= 0) {
                    break;
                }
                byte[] a = buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
                for (int p = 0; p < n; ) {
                    int reclen = (a[p + 16] & 0xff) | (a[p + 17] & 0xff) << 8;
                    int start = p + 19;
                    int end = start;
                    while (end < p + reclen && a[end] != 0) {
                        end++;
                    }
                    byte[] name = java.util.Arrays.copyOfRange(a, start, end);
                    if (!(end - start == 1 && name[0] == '.') && !(end - start == 2 && name[0] == '.' && name[1] == '.')) {
                        names.add(name);
                    }
                    p += reclen;
                }
            }
        } finally {
            Fds.closeQuietly(fd);
        }
        names.sort(java.util.Arrays::compareUnsigned);
        List<String> out = new ArrayList<>(names.size());
        for (byte[] n : names) {
            out.add(new String(n, StandardCharsets.UTF_8));
        }
        return out;
    }

    /**
     * moby's {@code symlink.FollowSymlinkInScope}: the absolute path, inside the root, that
     * {@code path} leads to with every symlink followed and ".." stopping at the root. The last
     * element need not exist.
     */
    static String follow(int rootFd, String path) throws ErrnoException {
        Deque<String> todo = new ArrayDeque<>(List.of(path.split("/")));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String element = todo.pollFirst();
            if (element.isEmpty() || element.equals(".")) {
                continue;
            }
            if (element.equals("..")) {
                if (!done.isEmpty()) {
                    done.removeLast();
                }
                continue;
            }
            String candidate = "/" + String.join("/", done) + (done.isEmpty() ? "" : "/") + element;
            int fd;
            try {
                fd = open(rootFd, candidate, OpenFlags.O_PATH | OpenFlags.O_NOFOLLOW);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                    done.add(element);
                    continue;
                }
                throw e;
            }
            try {
                if (Files.fstatx(fd).type() != Statx.S_IFLNK) {
                    done.add(element);
                    continue;
                }
                if (++links > MAX_LINKS) {
                    throw new ErrnoException("follow", path, Errno.ELOOP);
                }
                String target = Files.readlinkat(fd, "");
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> parts = List.of(target.split("/"));
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.addFirst(parts.get(i));
                }
            } finally {
                Fds.closeQuietly(fd);
            }
        }
        return "/" + String.join("/", done);
    }
}
