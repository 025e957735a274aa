/**
 * EROFS on-disk records, one class per structure of the kernel's {@code fs/erofs/erofs_fs.h}: the superblock,
 * the compact and extended inodes, directory entries, the inline xattr body and the chunk block map.
 *
 * <p>Every record encodes itself little-endian into a caller's {@link java.nio.ByteBuffer}; nothing here does I/O or
 * decides layout. All sizes assume the 4 KiB block size ({@link dev.skiff.erofs.format.Erofs#BLOCK_SIZE}) that the
 * writer uses.
 */
package dev.skiff.erofs.format;
