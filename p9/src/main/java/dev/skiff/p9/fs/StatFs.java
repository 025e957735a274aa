package dev.skiff.p9.fs;

/** What Rstatfs reports (struct p9_rstatfs). */
public record StatFs(long type, long bsize, long blocks, long bfree, long bavail, long files,
        long ffree, long fsid, long namelen) {}
