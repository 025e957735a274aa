package dev.skiff.p9.fs.mapped;

import dev.skiff.p9.fs.DirentSink;
import dev.skiff.p9.fs.OpenFile;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Statx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * An open mapped file: a FileChannel for regular files, or for a directory a listing taken at
 * the first Treaddir of offset 0, whose cookies are positions in that listing. Locks live in the
 * backend's {@link LockTable}, this open file being their owner. O_APPEND writes go to the
 * current end of file, serialised within this open file (not atomic against host writers).
 */
final class MappedFile implements OpenFile {
    private final Mapped fs;
    private final MappedNode node;
    private final FileChannel channel;
    private final boolean append;
    private List<Dirent> listing;

    MappedFile(Mapped fs, MappedNode node, FileChannel channel, boolean append) {
        this.fs = fs;
        this.node = node;
        this.channel = channel;
        this.append = append;
    }

    private FileChannel channel() throws ErrnoException {
        if (channel == null) {
            throw new ErrnoException("read", "directory", Errno.EISDIR);
        }
        return channel;
    }

    @Override
    public byte[] read(long offset, int count) throws ErrnoException {
        FileChannel ch = channel();
        return NioErrors.io("read", node.path(), () -> {
            ByteBuffer b = ByteBuffer.allocate(count);
            while (b.hasRemaining()) {
                int n = ch.read(b, offset + b.position());
                if (n <= 0) {
                    break;
                }
            }
            return b.position() == count ? b.array() : java.util.Arrays.copyOf(b.array(), b.position());
        });
    }

    @Override
    public int write(long offset, byte[] data) throws ErrnoException {
        FileChannel ch = channel();
        return NioErrors.io("write", node.path(), () -> {
            ByteBuffer b = ByteBuffer.wrap(data);
            if (append) {
                synchronized (this) {
                    long at = ch.size();
                    while (b.hasRemaining()) {
                        ch.write(b, at + b.position());
                    }
                }
            } else {
                while (b.hasRemaining()) {
                    ch.write(b, offset + b.position());
                }
            }
            return data.length;
        });
    }

    @Override
    public synchronized void readdir(long offset, int budget, DirentSink sink) throws ErrnoException {
        if (channel != null) {
            throw new ErrnoException("readdir", node.path().toString(), Errno.ENOTDIR);
        }
        if (listing == null || offset == 0) {
            listing = list();
        }
        for (int i = (int) Math.max(0, Math.min(offset, listing.size())); i < listing.size(); i++) {
            Dirent d = listing.get(i);
            if (!sink.add(d.ino(), d.dtype(), d.nextOffset(), d.name(), 0, d.name().length)) {
                return;
            }
        }
    }

    /** One entry of the listing taken at offset 0: inode, d_type, its cookie, its name's bytes. */
    private record Dirent(long ino, int dtype, long nextOffset, byte[] name) {
        Dirent(long ino, int dtype, long nextOffset, String name) {
            this(ino, dtype, nextOffset, name.getBytes(StandardCharsets.UTF_8));
        }
    }

    private List<Dirent> list() throws ErrnoException {
        return NioErrors.io("readdir", node.path(), () -> {
            List<Dirent> l = new ArrayList<>();
            l.add(new Dirent(node.ino(), DT_DIR, 1, "."));
            MappedNode parent = fs.parentOf(node);
            l.add(new Dirent(parent.ino(), DT_DIR, 2, ".."));
            try (DirectoryStream<java.nio.file.Path> ds = Files.newDirectoryStream(node.path())) {
                for (java.nio.file.Path p : ds) {
                    MappedNode n = fs.lookup(p);
                    l.add(new Dirent(n.ino(), dtype(n.fileType()), l.size() + 1, p.getFileName().toString()));
                }
            }
            return l;
        });
    }

    private static final int DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10, DT_SOCK = 12;

    static int dtype(int type) {
        return switch (type) {
            case Statx.S_IFDIR -> DT_DIR;
            case Statx.S_IFLNK -> DT_LNK;
            case Statx.S_IFIFO -> DT_FIFO;
            case Statx.S_IFCHR -> DT_CHR;
            case Statx.S_IFBLK -> DT_BLK;
            case Statx.S_IFSOCK -> DT_SOCK;
            default -> DT_REG;
        };
    }

    @Override
    public void fsync(boolean datasync) throws ErrnoException {
        if (channel != null) {
            NioErrors.run("fsync", node.path(), () -> channel.force(!datasync));
        }
    }

    @Override
    public boolean tryLock(int type, long start, long length) {
        return fs.locks.tryLock(key(), this, type, start, length);
    }

    @Override
    public LockInfo testLock(int type, long start, long length) {
        return fs.locks.test(key(), this, type, start, length);
    }

    private Object key() {
        return List.of(node.dev(), node.ino());
    }

    @Override
    public void close() {
        fs.locks.releaseAll(key(), this);
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to report at clunk
            }
        }
    }
}
