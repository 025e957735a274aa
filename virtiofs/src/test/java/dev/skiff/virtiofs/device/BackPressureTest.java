package dev.skiff.virtiofs.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.p9.fs.OpenFile;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.sys.OpenFlags;
import dev.skiff.virtiofs.server.CachePolicy;
import dev.skiff.virtiofs.server.FuseClient;
import dev.skiff.virtiofs.server.FuseLimits;
import dev.skiff.virtiofs.server.FuseSession;
import dev.skiff.virtiofs.wire.Fuse;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests of the request queue run on their own virtual threads, at most maxInFlight at once;
 * the queue worker waits for a free permit, which is the guest's back-pressure.
 */
class BackPressureTest {
    @TempDir Path dir;

    @Test
    void theQueueWorkerWaitsWhileAllPermitsAreBusy() throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        try (Passthrough fs = new Passthrough(dir);
                FuseClient c = new FuseClient(new FuseSession(fs, false, CachePolicy.COHERENT,
                        new FuseLimits(1 << 20, 256, 1024, 1024, 2)));
                Arena arena = Arena.ofShared()) {
            VirtioFsDevice device = new VirtioFsDevice("t", c.session);
            c.init().ok();
            long node = FuseClient.entry(c.lookup(Fuse.ROOT_ID, "f")).nodeid();
            long holder = c.open(node, OpenFlags.O_RDWR), waiter = c.open(node, OpenFlags.O_RDWR);
            c.call(Fuse.SETLK, 0, FuseClient.lk(holder, 1, 0, Fuse.OFFSET_MAX, OpenFile.F_WRLCK, 1)).ok();

            AtomicInteger submitted = new AtomicInteger();
            CountDownLatch completed = new CountDownLatch(3);
            ConcurrentLinkedQueue<Integer> errors = new ConcurrentLinkedQueue<>();
            Thread worker = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 3; i++) {
                    MemorySegment out = arena.allocate(64);
                    device.submit(List.of(c.segment(c.request(Fuse.SETLKW, 0,
                            FuseClient.lk(waiter, 2, 0, 0, OpenFile.F_WRLCK, 2)))), List.of(out), n -> {
                                errors.add(out.get(ValueLayout.JAVA_INT_UNALIGNED, 4));
                                completed.countDown();
                            });
                    submitted.incrementAndGet();
                }
            });
            // the state seen is kept: the worker's wait for a permit wakes every 100 ms to check for close
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            Thread.State seen = worker.getState();
            while (!(submitted.get() == 2 && seen == Thread.State.TIMED_WAITING) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                seen = worker.getState();
            }
            assertEquals(2, submitted.get(), "two requests in flight, the third waits for a permit");
            assertEquals(Thread.State.TIMED_WAITING, seen);
            assertEquals(3, completed.getCount(), "both in flight still wait for the lock");

            c.call(Fuse.SETLK, 0, FuseClient.lk(holder, 1, 0, Fuse.OFFSET_MAX, OpenFile.F_UNLCK, 1)).ok();
            assertTrue(completed.await(10, TimeUnit.SECONDS), "all three served once the lock was free");
            worker.join();
            assertEquals(List.of(0, 0, 0), List.copyOf(errors));
        }
    }
}
