/**
 * Reading layer tars: decompression ({@link dev.skiff.erofs.tar.Decompression}), the tar stream itself
 * ({@link dev.skiff.erofs.tar.TarReader}: ustar, GNU long names and sparse files, PAX records with binary xattr
 * values), and the validation of entry names ({@link dev.skiff.erofs.tar.EntryPath}) and overlayfs whiteouts
 * ({@link dev.skiff.erofs.tar.Whiteout}).
 *
 * <p>Nothing here touches the host file system: names are only ever parsed into path components for the
 * in-memory tree. Every problem is a {@link dev.skiff.erofs.LayerException} naming the entry.
 */
package dev.skiff.erofs.tar;
