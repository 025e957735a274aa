package dev.skiff.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small helpers for the tests of this package: whole reads, writes and descriptor flags. */
final class TestFds {
    private TestFds() {}

    /** Reads {@code fd} to end of file, then closes it. */
    static String readAllAndClose(int fd) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(8192);
            StringBuilder text = new StringBuilder();
            for (long n; (n = Fds.read(fd, buf, 8192)) > 0; ) {
                text.append(new String(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
            }
            return text.toString();
        } finally {
            Fds.close(fd);
        }
    }

    static void write(int fd, String text) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            MemorySegment buf = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, buf, ValueLayout.JAVA_BYTE, 0, bytes.length);
            for (long done = 0; done < bytes.length; ) {
                done += Fds.write(fd, buf.asSlice(done), bytes.length - done);
            }
        }
    }

    /** The open(2) flags of our descriptor, octal in /proc/self/fdinfo (close-on-exec shows as 02000000). */
    static int flags(int fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
            if (line.startsWith("flags:")) {
                return Integer.parseInt(line.substring(6).strip(), 8);
            }
        }
        throw new IOException("no flags in fdinfo of fd " + fd);
    }

    static void closeQuietly(int... fds) {
        for (int fd : fds) {
            try {
                Fds.close(fd);
            } catch (ErrnoException ignored) {
                // already closed by the test
            }
        }
    }
}
