package dev.skiff.guest.selftest;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Locks;
import dev.skiff.sys.OpenFlags;
import dev.skiff.sys.Xattrs;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * FS: file-system calls busybox has no tool for: extended attributes, open-file-description
 * byte-range locks, and shared writable mmap. Errors come back as the errno text.
 */
final class FsCommands {
    private final Map<String, Integer> held = new ConcurrentHashMap<>();

    String handle(String[] w) throws IOException {
        return switch (w[1]) {
            case "XATTR_SET" -> {
                Xattrs.set(w[2], w[3], Base64.getDecoder().decode(w[4]), 0, true);
                yield "OK";
            }
            case "XATTR_GET" -> "OK " + Base64.getEncoder().encodeToString(Xattrs.get(w[2], w[3], true));
            case "XATTR_LIST" -> "OK " + String.join(",", names(Xattrs.list(w[2], true)));
            case "XATTR_REMOVE" -> {
                Xattrs.remove(w[2], w[3], true);
                yield "OK";
            }
            case "LOCK" -> {
                int fd = open(w[3], w[4]);
                if (!Locks.trySet(fd, type(w[4]), Long.parseLong(w[5]), Long.parseLong(w[6]))) {
                    Fds.close(fd);
                    yield "OK busy";
                }
                held.put(w[2], fd);
                yield "OK locked";
            }
            case "TRYLOCK" -> {
                int fd = open(w[2], w[3]);
                try {
                    yield Locks.trySet(fd, type(w[3]), Long.parseLong(w[4]), Long.parseLong(w[5])) ? "OK locked" : "OK busy";
                } finally {
                    Fds.close(fd); // closing the description drops the lock
                }
            }
            case "GETLK" -> {
                int fd = open(w[2], w[3]);
                try {
                    Locks.Flock f = Locks.get(fd, type(w[3]), Long.parseLong(w[4]), Long.parseLong(w[5]));
                    yield "OK " + (f.type() == Locks.F_UNLCK ? "unlocked" : (f.type() == Locks.F_WRLCK ? "w" : "r")
                            + " " + f.start() + " " + f.length());
                } finally {
                    Fds.close(fd);
                }
            }
            case "UNLOCK" -> {
                Integer fd = held.remove(w[2]);
                if (fd == null) {
                    throw new IOException("no lock " + w[2]);
                }
                Fds.close(fd);
                yield "OK";
            }
            case "MMAP_WRITE" -> {
                byte[] data = Base64.getDecoder().decode(w[4]);
                try (FileChannel ch = FileChannel.open(Path.of(w[2]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, Long.parseLong(w[3]), data.length);
                    map.put(data);
                    map.force();
                }
                yield "OK";
            }
            case "OPEN" -> {
                int flags = openFlags(w[3]);
                // openat2(2) refuses a mode without O_CREAT
                int fd = Fds.openat2(Fds.AT_FDCWD, w[2], flags, (flags & OpenFlags.O_CREAT) != 0 ? 0644 : 0, 0);
                try {
                    if (w.length > 4) {
                        byte[] data = Base64.getDecoder().decode(w[4]);
                        try (Arena arena = Arena.ofConfined()) {
                            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, data);
                            Fds.write(fd, buf, data.length);
                        }
                        Fds.fsync(fd, w[3].contains("DSYNC"));
                    }
                } finally {
                    Fds.close(fd);
                }
                yield "OK";
            }
            case "MKSOCK" -> {
                // bind(2) of a unix socket makes the socket file: on a 9P mount, Tmknod with S_IFSOCK
                try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                    server.bind(java.net.UnixDomainSocketAddress.of(w[2]));
                }
                yield "OK";
            }
            default -> throw new IOException("unknown FS operation " + w[1]);
        };
    }

    /** {@code FLAG|FLAG...} by their Linux names, e.g. {@code WRONLY|CREAT|NOFOLLOW}. */
    private static int openFlags(String names) {
        int flags = 0;
        for (String n : names.split("\\|")) {
            flags |= switch (n) {
                case "RDONLY" -> OpenFlags.O_RDONLY;
                case "WRONLY" -> OpenFlags.O_WRONLY;
                case "RDWR" -> OpenFlags.O_RDWR;
                case "CREAT" -> OpenFlags.O_CREAT;
                case "EXCL" -> OpenFlags.O_EXCL;
                case "TRUNC" -> OpenFlags.O_TRUNC;
                case "APPEND" -> OpenFlags.O_APPEND;
                case "NONBLOCK" -> OpenFlags.O_NONBLOCK;
                case "DSYNC" -> OpenFlags.O_DSYNC;
                case "SYNC" -> OpenFlags.O_SYNC;
                case "DIRECTORY" -> OpenFlags.O_DIRECTORY;
                case "NOFOLLOW" -> OpenFlags.O_NOFOLLOW;
                case "NOATIME" -> OpenFlags.O_NOATIME;
                case "CLOEXEC" -> OpenFlags.O_CLOEXEC;
                default -> throw new IllegalArgumentException("unknown open flag " + n);
            };
        }
        return flags;
    }

    private static int open(String path, String mode) throws ErrnoException {
        return Fds.openat2(Fds.AT_FDCWD, path, mode.equals("r") ? OpenFlags.O_RDONLY : OpenFlags.O_RDWR, 0, 0);
    }

    private static short type(String mode) {
        return mode.equals("r") ? Locks.F_RDLCK : Locks.F_WRLCK;
    }

    private static List<String> names(byte[] list) {
        List<String> names = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < list.length; i++) {
            if (list[i] == 0) {
                names.add(new String(list, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        return names;
    }
}
