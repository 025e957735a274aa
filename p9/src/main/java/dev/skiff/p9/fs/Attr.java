package dev.skiff.p9.fs;

/** The attributes Rgetattr reports (include/net/9p/9p.h {@code struct p9_stat_dotl}). */
public record Attr(long dev, long ino, int mode, int uid, int gid, long nlink, long rdev,
        long size, long blksize, long blocks, long atimeSec, long atimeNsec, long mtimeSec,
        long mtimeNsec, long ctimeSec, long ctimeNsec, long btimeSec, long btimeNsec,
        boolean hasBtime) {}
