/**
 * The backend side of the 9P server: the {@link dev.skiff.p9.fs.FileSystem} interface (a
 * file-operations table in the spirit of QEMU hw/9pfs {@code FileOperations}), the
 * {@link dev.skiff.p9.fs.Node} and {@link dev.skiff.p9.fs.OpenFile} handles it hands out, and
 * the value types it reports. Implementations live in {@code passthrough} (Linux system calls)
 * and {@code mapped} (portable Java I/O with POSIX metadata kept in user xattrs).
 *
 * <p>Backends know nothing of fids, tags, qids or Rlerror: the server owns those.
 */
package dev.skiff.p9.fs;
