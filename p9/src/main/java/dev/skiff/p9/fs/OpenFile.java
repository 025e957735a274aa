package dev.skiff.p9.fs;

import java.io.Closeable;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An open file or directory behind a fid after Tlopen or Tlcreate. Reads and writes are
 * positional and may run concurrently; {@link #readdir} calls are serialised by the caller.
 */
public interface OpenFile extends Closeable {

    /** Up to {@code count} bytes at {@code offset}; an empty array at end of file. */
    byte[] read(long offset, int count) throws IOException;

    /**
     * Reads up to {@code into.byteSize()} bytes at {@code offset} straight into {@code into}
     * (a FUSE server passes guest memory here); the count read, 0 at end of file. The default
     * goes through {@link #read(long, int)} and copies; backends with a descriptor override it to
     * read without the copy.
     */
    default int read(long offset, MemorySegment into) throws IOException {
        byte[] data = read(offset, (int) Math.min(into.byteSize(), Integer.MAX_VALUE));
        MemorySegment.copy(data, 0, into, ValueLayout.JAVA_BYTE, 0, data.length);
        return data.length;
    }

    /**
     * Writes {@code data} at {@code offset} straight from {@code data} (a FUSE server passes guest
     * memory here); the count written. The default copies to the heap and goes through
     * {@link #write(long, byte[])}; backends with a descriptor override it to write without the copy.
     */
    default int write(long offset, MemorySegment data) throws IOException {
        return write(offset, data.toArray(ValueLayout.JAVA_BYTE));
    }

    /**
     * Drops the file's set-user-id bit, and its set-group-id bit when group execute is set (what
     * the kernel does to a file written by a process without CAP_FSETID), through this open file.
     * A FUSE server that handles "kill priv" itself calls it for such writes and truncations.
     * Returns false, changing nothing, when the backend cannot.
     */
    default boolean dropSetId() throws IOException {
        return false;
    }

    /** {@code mode} (permission bits) without set-user-id, and without set-group-id if group execute is set. */
    static int withoutSetId(int mode) {
        return mode & ~(04000 | ((mode & 010) != 0 ? 02000 : 0));
    }

    /**
     * Truncates through this open file (ftruncate(2)), which needs only the write access the
     * file was opened with, not write permission on the path. Returns false, changing nothing,
     * when the backend has no such operation; the caller then truncates through the node.
     */
    default boolean truncate(long size) throws IOException {
        return false;
    }

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
