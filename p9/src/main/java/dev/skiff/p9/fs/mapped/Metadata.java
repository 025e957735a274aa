package dev.skiff.p9.fs.mapped;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/**
 * The POSIX metadata the mapped backend keeps beside each file, in user extended attributes
 * named as QEMU's mapped-xattr model names them (hw/9pfs/9p-local.c): {@code user.virtfs.uid},
 * {@code user.virtfs.gid}, {@code user.virtfs.mode} (type bits included) and
 * {@code user.virtfs.rdev}. Values are little-endian: 4 bytes for uid, gid and mode, 8 for
 * rdev (what QEMU writes on x86 and arm64). On Windows the same view is NTFS alternate data
 * streams; on macOS, xattrs. An absent attribute means "as the host says".
 */
final class Metadata {
    private Metadata() {}

    static final String PREFIX = "virtfs.";
    static final String UID = PREFIX + "uid", GID = PREFIX + "gid", MODE = PREFIX + "mode", RDEV = PREFIX + "rdev";

    static UserDefinedFileAttributeView view(Path p) {
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        if (v == null) {
            throw new UnsupportedOperationException("no user extended attributes on " + p);
        }
        return v;
    }

    /** The stored value, or {@code fallback} when there is none. */
    static long get(Path p, String name, long fallback) throws IOException {
        UserDefinedFileAttributeView v = view(p);
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int n = v.read(name, b);
            b.flip();
            return n >= 8 ? b.getLong() : n >= 4 ? Integer.toUnsignedLong(b.getInt()) : fallback;
        } catch (java.nio.file.FileSystemException e) {
            if (NioErrors.errno(e) == dev.skiff.sys.Errno.ENODATA) {
                return fallback;
            }
            throw e;
        }
    }

    static void putInt(Path p, String name, int value) throws IOException {
        view(p).write(name, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value));
    }

    static void putLong(Path p, String name, long value) throws IOException {
        view(p).write(name, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value));
    }

    /** True if {@code name} (without the user. prefix) is one of ours, hidden from clients. */
    static boolean internal(String name) {
        return name.startsWith(PREFIX);
    }
}
