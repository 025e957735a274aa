/**
 * The initrd as a sorted tree of entries, written as a newc cpio archive (the format the kernel
 * unpacks, see Documentation/driver-api/early-userspace/buffer-format.rst) with fixed owners,
 * timestamps and inode numbers, so that the same inputs give the same bytes.
 */
package dev.skiff.image.initrd;
