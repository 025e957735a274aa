package dev.skiff.vm.qemu;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.OpenFlags;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Copies a sparse file's data and keeps its holes (lseek SEEK_DATA / SEEK_HOLE): a template's RAM
 * file is mostly holes (pages the guest never touched, or freed and reported back), and a hole
 * copied as zeros would be memory the new VM holds for nothing.
 */
final class SparseCopy {
    private SparseCopy() {}

    private static final int SEEK_DATA = 3, SEEK_HOLE = 4;

    /**
     * Copies {@code from} to {@code to}, a new or empty file (a VM's RAM copy: a memfd's /proc path),
     * set to {@code from}'s size; returns the bytes of data copied.
     */
    static long copy(Path from, Path to) throws IOException {
        int fd = Fds.openat2(Fds.AT_FDCWD, from.toString(), OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC, 0, 0);
        try (FileChannel src = FileChannel.open(from, StandardOpenOption.READ);
             RandomAccessFile dst = new RandomAccessFile(to.toFile(), "rw")) {
            long size = src.size();
            dst.setLength(size);
            FileChannel out = dst.getChannel();
            long copied = 0;
            long at = 0;
            while (at < size) {
                long data = seek(fd, at, SEEK_DATA);
                if (data < 0) {
                    break; // only a hole is left
                }
                long hole = Math.min(seek(fd, data, SEEK_HOLE), size);
                for (long pos = data; pos < hole; ) {
                    long n = src.transferTo(pos, hole - pos, out.position(pos));
                    if (n <= 0) {
                        throw new IOException("short copy of " + from + " at " + pos);
                    }
                    pos += n;
                }
                copied += hole - data;
                at = hole;
            }
            return copied;
        } finally {
            Fds.closeQuietly(fd);
        }
    }

    /** lseek(2); -1 for ENXIO, which SEEK_DATA answers past the last data. */
    private static long seek(int fd, long offset, int whence) throws ErrnoException {
        try {
            return Fds.lseek(fd, offset, whence);
        } catch (ErrnoException e) {
            if (e.errno() == dev.skiff.sys.Errno.ENXIO) {
                return -1;
            }
            throw e;
        }
    }
}
