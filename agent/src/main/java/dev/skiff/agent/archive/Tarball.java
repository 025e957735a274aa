package dev.skiff.agent.archive;

import dev.skiff.agent.api.ArchivePaths;
import dev.skiff.agent.api.GoFileMode;
import dev.skiff.agent.api.PathStat;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Files;
import dev.skiff.sys.OpenFlags;
import dev.skiff.sys.Statx;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * A path of a container's file system as docker cp reads it (moby {@code containerStatPath},
 * {@code containerArchivePath}): the directory part resolved inside the root with every symlink
 * followed, the last element taken as it is (a symlink stays a symlink) unless the path ends in
 * "/" or "/."; a directory archived recursively, in name order, each entry named from the last
 * element asked for (go-archive's {@code TarResourceRebase}).
 */
public final class Tarball implements AutoCloseable {
    private final int rootFd;
    private final String path;
    private final int fd; // O_PATH of the entry, not followed
    private final Statx stat;

    private Tarball(int rootFd, String path, int fd, Statx stat) {
        this.rootFd = rootFd;
        this.path = path;
        this.fd = fd;
        this.stat = stat;
    }

    /**
     * Opens the path (absolute, as {@link ArchivePaths#absolute} makes it) inside the root.
     *
     * @throws ErrnoException ENOENT when it does not exist
     */
    public static Tarball open(int rootFd, String absolutePath) throws ErrnoException {
        String p = ArchivePaths.absolute(absolutePath);
        int fd;
        if (p.equals("/") || p.endsWith("/") || p.endsWith("/.")) {
            fd = InRoot.openDir(rootFd, p);
        } else {
            int slash = p.lastIndexOf('/');
            int dir = InRoot.openDir(rootFd, p.substring(0, slash + 1));
            try {
                fd = InRoot.child(dir, p.substring(slash + 1), OpenFlags.O_PATH);
            } finally {
                Fds.closeQuietly(dir);
            }
        }
        try {
            return new Tarball(rootFd, p, fd, Files.fstatx(fd));
        } catch (ErrnoException e) {
            Fds.closeQuietly(fd);
            throw e;
        }
    }

    /** What docker's X-Docker-Container-Path-Stat says of the path (moby {@code StatPath}). */
    public PathStat stat() throws ErrnoException {
        PathStat.Builder b = PathStat.newBuilder().setName(ArchivePaths.base(path)).setSize(stat.size())
                .setMode(GoFileMode.of(stat.mode())).setMtimeUnixNanos(stat.mtimeSec() * 1_000_000_000L + stat.mtimeNsec());
        if (stat.type() == Statx.S_IFLNK) {
            b.setLinkTarget(InRoot.follow(rootFd, path));
        }
        return b.build();
    }

    /** Writes the tar of the path to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        String base = ArchivePaths.base(path);
        TarOutput tar = new TarOutput(out);
        Map<String, String> links = new HashMap<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(ArchivePaths.CHUNK);
            add(tar, fd, stat, base.equals("/") ? "/" : base, base.equals("/") ? "/" : base + "/", links, buf);
        }
        tar.finish();
    }

    /** One entry, then (for a directory) its children, named {@code childPrefix + name}. */
    private void add(TarOutput tar, int entryFd, Statx st, String name, String childPrefix, Map<String, String> links,
            MemorySegment buf) throws IOException {
        int type = st.type();
        if (type == Statx.S_IFSOCK) {
            return; // go-archive skips what archive/tar cannot write
        }
        String key = st.devMajor() + ":" + st.devMinor() + ":" + st.ino();
        if (type != Statx.S_IFDIR && st.nlink() > 1) {
            String first = links.putIfAbsent(key, name);
            if (first != null) {
                tar.header(entry(name, TarEntry.LINK, st, 0, first));
                return;
            }
        }
        switch (type) {
            case Statx.S_IFDIR -> {
                tar.header(entry(name.endsWith("/") ? name : name + "/", TarEntry.DIR, st, 0, ""));
                for (String child : InRoot.list(entryFd)) {
                    int cfd;
                    try {
                        cfd = InRoot.child(entryFd, child, OpenFlags.O_PATH);
                    } catch (ErrnoException e) {
                        continue; // removed while we walked: as go-archive, go on
                    }
                    try {
                        Statx cst = Files.fstatx(cfd);
                        add(tar, cfd, cst, childPrefix + child, childPrefix + child + "/", links, buf);
                    } finally {
                        Fds.closeQuietly(cfd);
                    }
                }
            }
            case Statx.S_IFREG -> {
                tar.header(entry(name, TarEntry.REG, st, st.size(), ""));
                copyContent(entryFd, st.size(), tar, buf);
            }
            case Statx.S_IFLNK -> tar.header(entry(name, TarEntry.SYMLINK, st, 0, Files.readlinkat(entryFd, "")));
            case Statx.S_IFCHR -> tar.header(entry(name, TarEntry.CHAR, st, 0, ""));
            case Statx.S_IFBLK -> tar.header(entry(name, TarEntry.BLOCK, st, 0, ""));
            case Statx.S_IFIFO -> tar.header(entry(name, TarEntry.FIFO, st, 0, ""));
            default -> {
                // nothing else exists
            }
        }
    }

    private static TarEntry entry(String name, char type, Statx st, long size, String link) {
        return new TarEntry(name, type, st.mode() & 07777, st.uid(), st.gid(), size, st.mtimeSec(), 0, -1, 0, link,
                st.rdevMajor(), st.rdevMinor());
    }

    /** Exactly {@code size} bytes: a file that shrank meanwhile is padded with zeros, one that grew is cut. */
    private static void copyContent(int pathFd, long size, TarOutput tar, MemorySegment buf) throws IOException {
        int fd = Fds.openat2(Fds.AT_FDCWD, Fds.procPath(pathFd), OpenFlags.O_RDONLY, 0, 0);
        byte[] bytes = new byte[(int) buf.byteSize()];
        long left = size;
        try {
            while (left > 0) {
                long n = Fds.read(fd, buf, Math.min(buf.byteSize(), left));
                if (n <= 0) {
                    break;
                }
                MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, bytes, 0, (int) n);
                tar.write(bytes, 0, (int) n);
                left -= n;
            }
        } finally {
            Fds.closeQuietly(fd);
        }
        while (left > 0) {
            int n = (int) Math.min(bytes.length, left);
            java.util.Arrays.fill(bytes, 0, n, (byte) 0);
            tar.write(bytes, 0, n);
            left -= n;
        }
    }

    @Override
    public void close() {
        Fds.closeQuietly(fd);
    }
}
