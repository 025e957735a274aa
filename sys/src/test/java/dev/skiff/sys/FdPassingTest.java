package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SCM_RIGHTS over a socket pair and over a listening socket at a path, as runc's console socket does. */
class FdPassingTest {
    @TempDir Path dir;

    /** The received descriptor is a working, close-on-exec copy of the sent one. */
    private static void assertPassed(int sender, int receiver) throws Exception {
        int[] pipe = Pipes.pipe2(Pipes.O_CLOEXEC);
        int received;
        try {
            FdPassing.sendFd(sender, pipe[1], "/dev/pts/3".getBytes(StandardCharsets.UTF_8));
            received = FdPassing.receiveFd(receiver);
        } finally {
            Fds.close(pipe[1]);
        }
        assertNotEquals(pipe[1], received);
        assertEquals(Pipes.O_CLOEXEC, TestFds.flags(received) & Pipes.O_CLOEXEC, "MSG_CMSG_CLOEXEC");
        TestFds.write(received, "via the passed fd");
        Fds.close(received);
        assertEquals("via the passed fd", TestFds.readAllAndClose(pipe[0]));
    }

    @Test
    void aDescriptorCrossesASocketPair() throws Exception {
        int[] pair = Sockets.streamPair();
        try {
            assertPassed(pair[0], pair[1]);
            assertPassed(pair[1], pair[0]);
        } finally {
            TestFds.closeQuietly(pair);
        }
    }

    @Test
    void aDescriptorCrossesAListeningSocketAtTheLongestPath() throws Exception {
        String base = dir.toRealPath() + "/";
        String path = base + "s".repeat(FdPassing.MAX_PATH - base.length());
        assertEquals(107, path.length());
        int listener = FdPassing.listenUnix(path);
        try {
            assertEquals(0140000, (int) Files.getAttribute(Path.of(path), "unix:mode") & 0170000, "a socket");
            CompletableFuture<Integer> client = CompletableFuture.supplyAsync(() -> {
                try {
                    return FdPassing.connectUnix(path);
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            });
            int server = FdPassing.accept(listener);
            int c = client.get(10, TimeUnit.SECONDS);
            try {
                assertEquals(Pipes.O_CLOEXEC, TestFds.flags(server) & Pipes.O_CLOEXEC, "accept4 SOCK_CLOEXEC");
                assertPassed(c, server);
            } finally {
                TestFds.closeQuietly(server, c);
            }
        } finally {
            Fds.close(listener);
        }
        assertThrows(IllegalArgumentException.class, () -> FdPassing.listenUnix(path + "x"));
        assertEquals(Errno.EADDRINUSE, assertThrows(ErrnoException.class, () -> FdPassing.listenUnix(path)).errno());
        Files.delete(Path.of(path));
        assertEquals(Errno.ENOENT, assertThrows(ErrnoException.class, () -> FdPassing.connectUnix(path)).errno());
    }

    @Test
    void aMessageWithoutADescriptorOrAClosedPeerIsAClearError() throws Exception {
        int[] pair = Sockets.streamPair();
        try {
            TestFds.write(pair[0], "no fd here");
            IOException e = assertThrows(IOException.class, () -> FdPassing.receiveFd(pair[1]));
            assertTrue(e.getMessage().contains("10 bytes and no file descriptor"), e.getMessage());
            Fds.close(pair[0]);
            e = assertThrows(IOException.class, () -> FdPassing.receiveFd(pair[1]));
            assertTrue(e.getMessage().contains("end of stream"), e.getMessage());
        } finally {
            TestFds.closeQuietly(pair);
        }
    }

    /** Several descriptors with one message, as vhost-user's SET_MEM_TABLE carries one per region. */
    @Test
    void severalDescriptorsTravelWithTheFirstBytesOfAMessage() throws Exception {
        int[] pair = Sockets.streamPair();
        int[] a = Pipes.pipe2(Pipes.O_CLOEXEC);
        int[] b = Pipes.pipe2(Pipes.O_CLOEXEC);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment out = arena.allocate(20);
            out.fill((byte) 'x');
            assertEquals(20, FdPassing.send(pair[0], out, 20, a[1], b[1]));
            java.lang.foreign.MemorySegment in = arena.allocate(12);
            FdPassing.Received got = FdPassing.receive(pair[1], in, 8);
            assertEquals(12, got.bytes(), "only what the buffer holds");
            assertEquals(2, got.fds().length);
            assertFalse(got.controlTruncated());
            TestFds.write(got.fds()[0], "first");
            TestFds.write(got.fds()[1], "second");
            TestFds.closeQuietly(got.fds());
            TestFds.closeQuietly(a[1], b[1]);
            assertEquals("first", TestFds.readAllAndClose(a[0]));
            assertEquals("second", TestFds.readAllAndClose(b[0]));
            FdPassing.Received rest = FdPassing.receive(pair[1], in, 8);
            assertEquals(8, rest.bytes(), "the rest of the message, without descriptors");
            assertEquals(0, rest.fds().length);
        } finally {
            TestFds.closeQuietly(pair);
        }
    }

    /** More descriptors than the receiver has room for: it learns so, and gets none it must not have. */
    @Test
    void tooManyDescriptorsAreReportedAsTruncated() throws Exception {
        int[] pair = Sockets.streamPair();
        int[] p = Pipes.pipe2(Pipes.O_CLOEXEC);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.MemorySegment buf = arena.allocate(4);
            FdPassing.send(pair[0], buf, 4, p[0], p[0], p[0], p[0]);
            FdPassing.Received got = FdPassing.receive(pair[1], buf, 2);
            assertTrue(got.controlTruncated());
            assertTrue(got.fds().length <= 2);
            TestFds.closeQuietly(got.fds());
            Fds.close(pair[0]);
            assertEquals(0, FdPassing.receive(pair[1], buf, 1).bytes(), "end of stream");
        } finally {
            TestFds.closeQuietly(pair[1], p[0], p[1]);
        }
    }
}
