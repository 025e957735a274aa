package dev.skiff.p9.fs;

import java.io.Closeable;
import java.io.IOException;

/**
 * An open file or directory behind a fid after Tlopen or Tlcreate. Reads and writes are
 * positional and may run concurrently; {@link #readdir} calls are serialised by the caller.
 */
public interface OpenFile extends Closeable {

    /** Up to {@code count} bytes at {@code offset}; an empty array at end of file. */
    byte[] read(long offset, int count) throws IOException;

    /** Writes {@code data} at {@code offset} (appends when opened with O_APPEND); the count written. */
    int write(long offset, byte[] data) throws IOException;

    /**
     * Hands the directory's entries after cookie {@code offset} (0 = from the start) to
     * {@code sink} until it refuses one or the directory ends. {@code budget} is the room the
     * caller has, in encoded 9P bytes ({@code 24 + name bytes} per entry), so that a backend
     * need not read much more than fits.
     */
    void readdir(long offset, int budget, DirentSink sink) throws IOException;

    void fsync(boolean datasync) throws IOException;

    /**
     * Takes ({@code F_RDLCK}/{@code F_WRLCK}) or releases ({@code F_UNLCK}) a POSIX byte-range
     * lock without waiting. Length 0 means "to the end of the file".
     *
     * @return false if another holder's lock conflicts
     */
    boolean tryLock(int type, long start, long length) throws IOException;

    /** The first lock that would conflict with the described one, or null if none. */
    LockInfo testLock(int type, long start, long length) throws IOException;

    @Override
    void close();

    /** A conflicting lock: F_RDLCK or F_WRLCK, its range, and its holder's pid (-1 if unknown). */
    record LockInfo(int type, long start, long length, int pid) {}

    /** F_RDLCK, F_WRLCK, F_UNLCK as in asm-generic/fcntl.h; equal to the P9_LOCK_TYPE values. */
    int F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
}
