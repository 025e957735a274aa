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
}
