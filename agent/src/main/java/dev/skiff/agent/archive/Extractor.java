package dev.skiff.agent.archive;

import dev.skiff.agent.api.ArchivePaths;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Files;
import dev.skiff.sys.OpenFlags;
import dev.skiff.sys.Statx;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Extracts a tar into a directory of a container as docker cp does (moby
 * {@code containerExtractToDir}, go-archive {@code Unpack} and {@code createTarFile}): the
 * directory is the extraction's root, as chrootarchive makes it, so no entry, hard link or symlink
 * in the path can reach outside it; an entry whose name climbs out, a hard link to outside it or a
 * symlink pointing outside it is refused. An existing entry is replaced, except a directory by a
 * directory (merged); with {@code noOverwriteDirNonDir} replacing a directory by a non-directory
 * or the reverse is refused. Owners are 0:0 unless {@code copyUidGid} keeps the tar's; modes and
 * times are the tar's, directory times set last.
 */
public final class Extractor {
    /** Thrown for what the caller asked that cannot be done: a breakout, an overwrite refused. */
    public static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    private record DirTimes(String name, TarEntry entry) {}

    private final int destFd;
    private final String destName;
    private final boolean noOverwriteDirNonDir;
    private final boolean copyUidGid;

    /**
     * @param destFd the directory to extract into (held open by the caller)
     * @param destName how errors name it (its path in the container)
     */
    public Extractor(int destFd, String destName, boolean noOverwriteDirNonDir, boolean copyUidGid) {
        this.destFd = destFd;
        this.destName = destName;
        this.noOverwriteDirNonDir = noOverwriteDirNonDir;
        this.copyUidGid = copyUidGid;
    }

    /** Extracts every entry of {@code tar}; returns how many. */
    public int extract(InputStream in) throws IOException {
        TarInput tar = new TarInput(in);
        List<DirTimes> dirs = new ArrayList<>();
        int count = 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(ArchivePaths.CHUNK);
            TarEntry e;
            while ((e = tar.next()) != null) {
                String name = relative(e.name());
                if (name.equals("..") || name.startsWith("../")) {
                    throw new Refused("\"" + e.name() + "\" is outside of \"" + destName + "\"");
                }
                if (extractOne(e, name, tar, buf) && e.isDir()) {
                    dirs.add(new DirTimes(name, e));
                }
                count++;
            }
        }
        for (DirTimes d : dirs.reversed()) {
            int fd = InRoot.open(destFd, d.name(), OpenFlags.O_PATH | OpenFlags.O_NOFOLLOW);
            try {
                setTimes(fd, "", d.entry(), false);
            } finally {
                Fds.closeQuietly(fd);
            }
        }
        return count;
    }

    /** Go's {@code filepath.Clean} of an entry name, made relative to the destination ("." for itself). */
    static String relative(String name) {
        boolean climbs = false;
        List<String> out = new ArrayList<>();
        for (String element : name.split("/")) {
            if (element.isEmpty() || element.equals(".")) {
                continue;
            }
            if (element.equals("..")) {
                if (out.isEmpty() || out.getLast().equals("..")) {
                    if (!name.startsWith("/")) {
                        out.add("..");
                        climbs = true;
                    }
                } else {
                    out.removeLast();
                }
            } else {
                out.add(element);
            }
        }
        return out.isEmpty() && !climbs ? "." : String.join("/", out);
    }

    /** Extracts one entry; false when it was skipped (the destination itself as a directory). */
    private boolean extractOne(TarEntry e, String name, TarInput tar, MemorySegment buf) throws IOException {
        if (e.type() == TarEntry.PAX_GLOBAL) {
            return false;
        }
        if (name.equals(".")) {
            if (!e.isDir()) {
                throw new Refused("cannot overwrite directory \"" + destName + "\" with non-directory \"" + e.name() + "\"");
            }
            return false; // the destination exists as a directory: as go-archive, nothing to do
        }
        int slash = name.lastIndexOf('/');
        String parent = slash < 0 ? "" : name.substring(0, slash);
        String base = name.substring(slash + 1);
        int dirFd = parentDir(parent);
        try {
            Statx existing = InRoot.lstat(dirFd, base);
            if (existing != null) {
                boolean isDir = existing.type() == Statx.S_IFDIR;
                if (noOverwriteDirNonDir && isDir && !e.isDir()) {
                    throw new Refused("cannot overwrite directory \"" + destName + "/" + name + "\" with non-directory \""
                            + e.name() + "\"");
                }
                if (noOverwriteDirNonDir && !isDir && e.isDir()) {
                    throw new Refused("cannot overwrite non-directory \"" + destName + "/" + name + "\" with directory \""
                            + e.name() + "\"");
                }
                if (!isDir || !e.isDir()) {
                    removeAll(dirFd, base);
                }
            }
            create(dirFd, base, name, e, tar, buf);
            int uid = copyUidGid ? e.uid() : 0;
            int gid = copyUidGid ? e.gid() : 0;
            Files.fchownat(dirFd, base, uid, gid, Files.AT_SYMLINK_NOFOLLOW);
            if (e.type() != TarEntry.SYMLINK) {
                int fd = InRoot.child(dirFd, base, OpenFlags.O_PATH);
                try {
                    if (Files.fstatx(fd).type() != Statx.S_IFLNK) {
                        Files.chmod(Fds.procPath(fd), e.mode() & 07777); // after chown, which clears setuid
                    }
                    if (e.type() != TarEntry.LINK && !e.isDir()) {
                        setTimes(dirFd, base, e, false);
                    }
                } finally {
                    Fds.closeQuietly(fd);
                }
            } else {
                setTimes(dirFd, base, e, true);
            }
            return true;
        } finally {
            Fds.closeQuietly(dirFd);
        }
    }

    /** The parent directory of an entry, made (0755, root's) where missing, as go-archive does. */
    private int parentDir(String parent) throws IOException {
        if (parent.isEmpty()) {
            return Fds.openat2(destFd, ".", OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, InRoot.ONE_NAME);
        }
        try {
            return InRoot.openDir(destFd, parent);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
        int fd = Fds.openat2(destFd, ".", OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, InRoot.ONE_NAME);
        for (String element : parent.split("/")) {
            int next;
            try {
                next = InRoot.open(fd, element, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.ENOENT) {
                    Fds.closeQuietly(fd);
                    throw e;
                }
                try {
                    Files.mkdirat(fd, element, 0755);
                    Files.fchownat(fd, element, 0, 0, Files.AT_SYMLINK_NOFOLLOW);
                    next = InRoot.child(fd, element, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY);
                } catch (ErrnoException e2) {
                    Fds.closeQuietly(fd);
                    throw e2;
                }
            }
            Fds.closeQuietly(fd);
            fd = next;
        }
        return fd;
    }

    private void create(int dirFd, String base, String name, TarEntry e, TarInput tar, MemorySegment buf)
            throws IOException {
        int mode = e.mode() & 07777;
        switch (e.type()) {
            case TarEntry.DIR -> {
                Statx st = InRoot.lstat(dirFd, base);
                if (st == null || st.type() != Statx.S_IFDIR) {
                    Files.mkdirat(dirFd, base, mode);
                }
            }
            case TarEntry.REG, '\0', TarEntry.CONTIGUOUS -> {
                int fd = Fds.openat2(dirFd, base, OpenFlags.O_WRONLY | OpenFlags.O_CREAT | OpenFlags.O_EXCL
                        | OpenFlags.O_NOFOLLOW, mode, InRoot.ONE_NAME);
                try {
                    copy(tar, fd, buf);
                } finally {
                    Fds.closeQuietly(fd);
                }
            }
            case TarEntry.CHAR -> Files.mknodat(dirFd, base, Statx.S_IFCHR | mode, Statx.makedev(e.devMajor(), e.devMinor()));
            case TarEntry.BLOCK -> Files.mknodat(dirFd, base, Statx.S_IFBLK | mode, Statx.makedev(e.devMajor(), e.devMinor()));
            case TarEntry.FIFO -> Files.mknodat(dirFd, base, Statx.S_IFIFO | mode, 0);
            case TarEntry.LINK -> {
                String target = relative(e.linkname());
                if (target.equals(".") || target.equals("..") || target.startsWith("../")) {
                    throw new Refused("invalid hardlink \"" + e.linkname() + "\" -> \"" + name + "\": outside of \""
                            + destName + "\"");
                }
                int slash = target.lastIndexOf('/');
                int targetDir = slash < 0 ? Fds.openat2(destFd, ".", OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0,
                        InRoot.ONE_NAME) : InRoot.openDir(destFd, target.substring(0, slash));
                try {
                    Files.linkat(targetDir, target.substring(slash + 1), dirFd, base, 0);
                } finally {
                    Fds.closeQuietly(targetDir);
                }
            }
            case TarEntry.SYMLINK -> {
                // go-archive: filepath.Join(filepath.Dir(path), linkname) must stay in the destination.
                String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
                String resolved = e.linkname().startsWith("/") || parent.isEmpty() ? relative(e.linkname())
                        : relative(parent + "/" + e.linkname());
                if (resolved.equals("..") || resolved.startsWith("../")) {
                    throw new Refused("invalid symlink \"" + destName + "/" + name + "\" -> \"" + e.linkname() + "\"");
                }
                Files.symlinkat(e.linkname(), dirFd, base);
            }
            default -> throw new Refused("unhandled tar header type " + (int) e.type());
        }
    }

    private static void copy(TarInput tar, int fd, MemorySegment buf) throws IOException {
        byte[] bytes = new byte[(int) buf.byteSize()];
        int n;
        while ((n = tar.read(bytes, 0, bytes.length)) > 0) {
            MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, n);
            for (long done = 0; done < n; ) {
                done += Fds.write(fd, buf.asSlice(done), n - done);
            }
        }
    }

    private static void setTimes(int dirFd, String name, TarEntry e, boolean symlink) throws ErrnoException {
        long aSec = e.atimeSec() >= 0 ? e.atimeSec() : e.mtimeSec();
        long aNsec = e.atimeSec() >= 0 ? e.atimeNsec() : e.mtimeNsec();
        Files.utimensat(dirFd, name, aSec, aNsec, e.mtimeSec(), e.mtimeNsec(),
                name.isEmpty() ? Files.AT_EMPTY_PATH : Files.AT_SYMLINK_NOFOLLOW);
    }

    /** Removes an entry and, for a directory, everything below it, never following a symlink. */
    static void removeAll(int dirFd, String name) throws ErrnoException {
        Statx st = InRoot.lstat(dirFd, name);
        if (st == null) {
            return;
        }
        if (st.type() != Statx.S_IFDIR) {
            Files.unlinkat(dirFd, name, 0);
            return;
        }
        int fd = InRoot.child(dirFd, name, OpenFlags.O_PATH | OpenFlags.O_DIRECTORY);
        try {
            for (String child : InRoot.list(fd)) {
                removeAll(fd, child);
            }
        } finally {
            Fds.closeQuietly(fd);
        }
        Files.unlinkat(dirFd, name, Files.AT_REMOVEDIR);
    }
}
