package dev.skiff.p9.fs;

/**
 * Receives directory entries from {@link OpenFile#readdir}, one call each, with the name as
 * raw bytes (as the host file system holds it; 9P strings are UTF-8 by convention only). The
 * server packs them straight into its reply, so a listing makes no object per entry.
 */
@FunctionalInterface
public interface DirentSink {
    /**
     * Takes one entry: its inode, its d_type, the cookie that resumes after it, and its name as
     * {@code name[nameOff .. nameOff + nameLen)}. Returns false, taking nothing, when the entry
     * does not fit; the backend then stops, and the next readdir resumes at this entry.
     */
    boolean add(long ino, int dtype, long nextOffset, byte[] name, int nameOff, int nameLen);
}
