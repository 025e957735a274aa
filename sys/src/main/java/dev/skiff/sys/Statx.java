package dev.skiff.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct statx} (include/uapi/linux/stat.h): the fields statx(2) filled in, per
 * {@code mask}. Device numbers are kept split into major and minor as the kernel reports them.
 */
public record Statx(int mask, int blksize, int nlink, int uid, int gid, int mode, long ino,
        long size, long blocks, long atimeSec, int atimeNsec, long btimeSec, int btimeNsec,
        long ctimeSec, int ctimeNsec, long mtimeSec, int mtimeNsec, int rdevMajor, int rdevMinor,
        int devMajor, int devMinor) {

    public static final int STATX_BASIC_STATS = 0x7ff, STATX_BTIME = 0x800;
    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000,
            S_IFREG = 0100000, S_IFBLK = 060000, S_IFDIR = 040000, S_IFCHR = 020000,
            S_IFIFO = 010000;
    static final int SIZE = 256;

    static Statx of(MemorySegment s) {
        return new Statx(s.get(ValueLayout.JAVA_INT, 0), s.get(ValueLayout.JAVA_INT, 4),
                s.get(ValueLayout.JAVA_INT, 16), s.get(ValueLayout.JAVA_INT, 20),
                s.get(ValueLayout.JAVA_INT, 24), s.get(ValueLayout.JAVA_SHORT, 28) & 0xffff,
                s.get(ValueLayout.JAVA_LONG, 32), s.get(ValueLayout.JAVA_LONG, 40),
                s.get(ValueLayout.JAVA_LONG, 48),
                s.get(ValueLayout.JAVA_LONG, 64), s.get(ValueLayout.JAVA_INT, 72),
                s.get(ValueLayout.JAVA_LONG, 80), s.get(ValueLayout.JAVA_INT, 88),
                s.get(ValueLayout.JAVA_LONG, 96), s.get(ValueLayout.JAVA_INT, 104),
                s.get(ValueLayout.JAVA_LONG, 112), s.get(ValueLayout.JAVA_INT, 120),
                s.get(ValueLayout.JAVA_INT, 128), s.get(ValueLayout.JAVA_INT, 132),
                s.get(ValueLayout.JAVA_INT, 136), s.get(ValueLayout.JAVA_INT, 140));
    }

    /** The file type bits of {@link #mode}. */
    public int type() {
        return mode & S_IFMT;
    }

    /** The device number in glibc's {@code makedev} encoding (the st_dev of stat(2)). */
    public long dev() {
        return makedev(devMajor, devMinor);
    }

    /** glibc's {@code gnu_dev_makedev} (sys/sysmacros.h); for 32-bit values it equals the kernel's new_encode_dev. */
    public static long makedev(int major, int minor) {
        long ma = Integer.toUnsignedLong(major), mi = Integer.toUnsignedLong(minor);
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8)
                | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }
}
