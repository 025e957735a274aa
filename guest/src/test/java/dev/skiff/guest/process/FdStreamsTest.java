package dev.skiff.guest.process;

import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.sys.Pipes;
import dev.skiff.sys.Sockets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** FdInputStream and FdOutputStream over real pipes and sockets. */
class FdStreamsTest {
    /** Waits until {@code t} is inside Fds.read, as its stack shows (no fixed delay). */
    private static void awaitInRead(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (java.util.Arrays.stream(t.getStackTrace()).noneMatch(
                f -> f.getClassName().equals("dev.skiff.sys.Fds") && f.getMethodName().equals("read"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the reader never reached read(2)");
            }
            Thread.onSpinWait();
        }
    }

    private static CompletableFuture<byte[]> readFully(FdInputStream in, int size, CountDownLatch started) {
        return readFully(in, size, started, new Thread[1]);
    }

    private static CompletableFuture<byte[]> readFully(FdInputStream in, int size, CountDownLatch started,
            Thread[] reader) {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        reader[0] = Thread.ofPlatform().daemon().start(() -> {
            try {
                byte[] got = new byte[size];
                started.countDown();
                for (int done = 0, n; done < size; done += n) {
                    n = in.read(got, done, size - done);
                    if (n < 0) {
                        throw new IOException("end of file after " + done + " bytes");
                    }
                }
                result.complete(got);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /**
     * One thread blocks reading fd a while another writes 4 MiB through the same fd a; the peer
     * echoes everything back. With one lock for both directions this would deadlock.
     */
    @Test
    void oneThreadReadsWhileAnotherWritesTheSameSocket() throws Exception {
        int[] pair = Sockets.streamPair();
        byte[] data = new byte[4 << 20];
        new Random(42).nextBytes(data);
        try (FdInputStream inA = new FdInputStream(pair[0]);
                FdInputStream inB = new FdInputStream(pair[1])) {
            FdOutputStream outA = new FdOutputStream(pair[0]); // shares inA's fd: inA closes it
            FdOutputStream outB = new FdOutputStream(pair[1]);
            CountDownLatch started = new CountDownLatch(1);
            Thread[] reader = new Thread[1];
            CompletableFuture<byte[]> back = readFully(inA, data.length, started, reader);
            started.await();
            awaitInRead(reader[0]); // the reader holds the read side, blocked in read(2) on fd a
            Thread echo = Thread.ofPlatform().daemon().start(() -> {
                byte[] buf = new byte[10_000];
                try {
                    for (int n, total = 0; total < data.length && (n = inB.read(buf)) > 0; total += n) {
                        outB.write(buf, 0, n);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            for (int off = 0; off < data.length; off += 100_000) {
                outA.write(data, off, Math.min(100_000, data.length - off));
            }
            assertArrayEquals(data, back.get(30, TimeUnit.SECONDS));
            echo.join(10_000);
        }
    }

    @Test
    void endOfFileIsMinusOneAndCloseClosesOnce() throws Exception {
        int[] p = Pipes.pipe2(Pipes.O_CLOEXEC);
        FdInputStream in = new FdInputStream(p[0]);
        FdOutputStream out = new FdOutputStream(p[1]);
        out.write("abc".getBytes(StandardCharsets.UTF_8));
        out.write('d');
        out.close();
        out.close(); // once only: a second close(2) could close a reused descriptor number
        assertThrows(IOException.class, () -> out.write(1));
        assertEquals('a', in.read());
        byte[] rest = new byte[10];
        assertEquals(3, in.read(rest, 0, 10));
        assertEquals("bcd", new String(rest, 0, 3, StandardCharsets.UTF_8));
        assertEquals(-1, in.read());
        assertEquals(-1, in.read(rest, 0, 10));
        assertEquals(0, in.read(rest, 0, 0));
        in.close();
        in.close();
        assertThrows(IOException.class, in::read);
    }

    @Test
    void aLargeWriteArrivesWholeThroughAPipe() throws Exception {
        int[] p = Pipes.pipe2(Pipes.O_CLOEXEC);
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        try (FdInputStream in = new FdInputStream(p[0])) {
            CompletableFuture<byte[]> got = readFully(in, data.length, new CountDownLatch(1));
            try (FdOutputStream out = new FdOutputStream(p[1])) {
                out.write(data); // far more than a pipe holds: blocks until the reader catches up
            }
            assertTrue(Arrays.equals(data, got.get(30, TimeUnit.SECONDS)));
            assertEquals(-1, in.read());
        }
    }
}
