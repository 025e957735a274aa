/**
 * The in-memory metadata tree of a layer: {@link dev.skiff.erofs.tree.Inode}s (hard links share one) hanging from
 * directories, with the layer's replacement rules applied as entries stream in
 * ({@link dev.skiff.erofs.tree.FileTree}). File data never lives here, only where the writer put it in the image
 * ({@link dev.skiff.erofs.tree.FileData}), so memory is bounded by the metadata.
 */
package dev.skiff.erofs.tree;
