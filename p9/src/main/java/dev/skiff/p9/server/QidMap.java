package dev.skiff.p9.server;

import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Qid;
import dev.skiff.sys.Statx;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns a host file identity (st_dev, st_ino) into a qid path that is stable for the life of
 * the file and unique across every file system an export spans. Like QEMU's multidevs=remap
 * (hw/9pfs/9p.c, qid_path_prefixmap): each device gets a 15-bit prefix in the top bits, in the
 * order devices are first seen, and the inode fills the low 48 bits. An inode too large for 48
 * bits, or a 32,768th device, gets a serial number with the top bit set instead, remembered
 * for the life of the server. Shared by every connection of one export.
 */
public final class QidMap {
    private static final int INO_BITS = 48;
    private static final long INO_MASK = (1L << INO_BITS) - 1;
    private static final int MAX_PREFIX = (1 << 15) - 1;

    private final ConcurrentHashMap<Long, Integer> prefixes = new ConcurrentHashMap<>();
    private final AtomicInteger nextPrefix = new AtomicInteger();
    private final ConcurrentHashMap<DevIno, Long> full = new ConcurrentHashMap<>();
    private final AtomicLong nextFull = new AtomicLong();

    private record DevIno(long dev, long ino) {}

    public long path(long dev, long ino) {
        return path(dev, prefix(dev), ino);
    }

    /** The device's prefix in the top bits and the inode below; a serial number where either is out of room. */
    private long path(long dev, int prefix, long ino) {
        if (prefix >= 0 && (ino & ~INO_MASK) == 0) {
            return ((long) prefix << INO_BITS) | ino;
        }
        return full.computeIfAbsent(new DevIno(dev, ino), k -> Long.MIN_VALUE | nextFull.getAndIncrement());
    }

    /** The qid paths of one device, its prefix looked up once (a directory listing's entries). */
    public Device device(long dev) {
        return new Device(dev, prefix(dev));
    }

    /** The device's 15-bit prefix, given in order of first sight; -1 once they have run out. */
    private int prefix(long dev) {
        Integer prefix = prefixes.get(dev);
        if (prefix == null) {
            prefix = prefixes.computeIfAbsent(dev, d -> {
                int p = nextPrefix.getAndIncrement();
                return p <= MAX_PREFIX ? p : -1;
            });
        }
        return prefix;
    }

    /** See {@link #device}. */
    public final class Device {
        private final long dev;
        private final int prefix;

        private Device(long dev, int prefix) {
            this.dev = dev;
            this.prefix = prefix;
        }

        /** The same as {@code path(dev, ino)}. */
        public long path(long ino) {
            return QidMap.this.path(dev, prefix, ino);
        }
    }

    public Qid qid(long dev, long ino, int mode) {
        return new Qid(qidType(mode), 0, path(dev, ino));
    }

    /** The qid type for an S_IFMT file type. */
    public static int qidType(int mode) {
        return switch (mode & Statx.S_IFMT) {
            case Statx.S_IFDIR -> P9.QTDIR;
            case Statx.S_IFLNK -> P9.QTSYMLINK;
            default -> P9.QTFILE;
        };
    }
}
