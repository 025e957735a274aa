package dev.skiff.erofs.tar;

/**
 * A stretch of data in a sparse file: {@code length} bytes at {@code offset} of the file; the rest is holes.
 *
 * @param offset logical offset in the file
 * @param length bytes stored in the archive for it
 */
public record Segment(long offset, long length) {}
