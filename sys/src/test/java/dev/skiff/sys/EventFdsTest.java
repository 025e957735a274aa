package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The counter of an eventfd: signals add up, a read returns and resets them, a blocking read waits. */
class EventFdsTest {
    @Test
    void signalsAddUpAndAReadResetsThem() throws Exception {
        int fd = EventFds.create(true);
        try {
            assertEquals(0, EventFds.consume(fd), "non-blocking and empty");
            EventFds.signal(fd);
            EventFds.signal(fd);
            assertEquals(2, EventFds.consume(fd));
            assertEquals(0, EventFds.consume(fd));
            assertEquals(Pipes.O_CLOEXEC, TestFds.flags(fd) & Pipes.O_CLOEXEC);
        } finally {
            Fds.close(fd);
        }
    }

    @Test
    void aBlockingReadWaitsForASignalFromAnotherThread() throws Exception {
        int fd = EventFds.create(false);
        try {
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
                try {
                    return EventFds.consume(fd);
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            });
            EventFds.signal(fd);
            assertEquals(1L, reader.get(10, TimeUnit.SECONDS));
        } finally {
            Fds.close(fd);
        }
    }

    /** QEMU's eventfds are non-blocking; waiting on one must still block until it is signalled. */
    @Test
    void awaitBlocksEvenOnANonBlockingEventfd() throws Exception {
        int fd = EventFds.create(true);
        try {
            java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
            CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    waiting.countDown();
                    return EventFds.await(fd);
                } catch (ErrnoException e) {
                    throw new RuntimeException(e);
                }
            });
            assertTrue(waiting.await(10, TimeUnit.SECONDS));
            assertThrows(java.util.concurrent.TimeoutException.class, () -> waiter.get(200, TimeUnit.MILLISECONDS),
                    "nothing signalled yet: still waiting, not spinning back with 0");
            EventFds.signal(fd);
            EventFds.signal(fd);
            long first = waiter.get(10, TimeUnit.SECONDS);
            assertTrue(first == 1 || first == 2, "one or both signals: " + first);
        } finally {
            Fds.close(fd);
        }
    }
}
