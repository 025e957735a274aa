package dev.skiff.p9.fs;

import java.io.Closeable;

/**
 * A handle on one file of an export, as a fid refers to it. It knows its identity
 * ({@link #dev()}, {@link #ino()}) and file type, captured when it was looked up; both stay
 * valid for the life of the file. Closing releases host resources (for passthrough, an O_PATH
 * descriptor). The root node is closed only by its file system.
 */
public interface Node extends Closeable {
    /** The device the file lives on, in makedev encoding. */
    long dev();

    long ino();

    /** The S_IFMT bits of the file's mode. */
    int fileType();

    @Override
    void close();
}
