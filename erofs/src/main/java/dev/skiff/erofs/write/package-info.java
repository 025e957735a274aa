/**
 * Writing the image: {@link dev.skiff.erofs.write.ImageOutput} (the output file, the only thing written on the
 * host), {@link dev.skiff.erofs.write.DataWriter} (file data, streamed into blocks as entries arrive),
 * {@link dev.skiff.erofs.write.MetadataWriter} (at the end: nids, directories, inodes, superblock) and the
 * facade {@link dev.skiff.erofs.write.ErofsWriter}.
 *
 * <p>Image layout: block 0 holds the superblock (at 1024) and the root inode (nid 36, since {@code root_nid} is
 * 16 bits); file data follows from block 1 in arrival order; then the directory blocks; then all other inodes
 * packed in 32-byte slots, each with its inline xattrs and its tail or chunk map, in breadth-first order.
 */
package dev.skiff.erofs.write;
