/**
 * The passthrough backend: a Linux host directory served as it is, through the system-call
 * wrappers of {@code dev.skiff.sys} (openat2 with RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS, statx,
 * mknodat, the *xattr calls, OFD locks, renameat2, unlinkat, utimensat, fsync/fdatasync).
 * Modelled on QEMU hw/9pfs/9p-local.c (security_model=passthrough) and diod's ops.c.
 */
package dev.skiff.p9.fs.passthrough;
