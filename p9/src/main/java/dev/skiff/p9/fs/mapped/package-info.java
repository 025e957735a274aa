/**
 * The mapped backend: POSIX metadata (mode, owner, rdev, symlink targets, special file types)
 * kept in {@code user.virtfs.*} extended attributes beside plain files, after QEMU's
 * mapped-xattr security model (hw/9pfs/9p-local.c). Pure java.nio.file, for hosts and
 * unprivileged servers that cannot store that metadata natively (Windows NTFS, ntfs-3g, macOS).
 */
package dev.skiff.p9.fs.mapped;
