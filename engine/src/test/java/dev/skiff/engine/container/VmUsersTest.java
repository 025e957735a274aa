package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** docker cp and the release of the container's VM: neither cuts the other. */
class VmUsersTest {
    @Test
    void aReleaseWaitsForTheCopyThatBeganBeforeIt() throws Exception {
        VmUsers users = new VmUsers(Duration.ofMinutes(1));
        users.enter();
        CompletableFuture<Boolean> release = CompletableFuture.supplyAsync(users::beginRelease);
        awaitWaiting(release);
        assertFalse(release.isDone(), "the VM is not released while a copy uses it");
        users.leave();
        assertTrue(release.get(10, TimeUnit.SECONDS), "the copy ended in time");
        users.endRelease();
        assertEquals(0, users.users());
    }

    @Test
    void aCopyThatBeginsDuringAReleaseWaitsForItsEnd() throws Exception {
        VmUsers users = new VmUsers(Duration.ofMinutes(1));
        assertTrue(users.beginRelease());
        CountDownLatch entered = new CountDownLatch(1);
        Thread copy = Thread.ofVirtual().start(() -> {
            users.enter();
            entered.countDown();
        });
        assertFalse(entered.await(200, TimeUnit.MILLISECONDS), "the copy waits while the VM is released");
        users.endRelease();
        assertTrue(entered.await(10, TimeUnit.SECONDS), "the copy goes on once the release ended");
        copy.join();
        assertEquals(1, users.users());
    }

    @Test
    void aStalledCopyHoldsTheReleaseOnlyUpToThePatience() {
        VmUsers users = new VmUsers(Duration.ofMillis(100));
        users.enter();
        assertFalse(users.beginRelease(), "the release goes ahead and says the copy was still running");
        users.endRelease();
        users.leave();
        assertEquals(0, users.users());
    }

    /** Until the releasing thread waits in the monitor (or 1 s), without a fixed sleep deciding the outcome. */
    private static void awaitWaiting(CompletableFuture<?> f) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!f.isDone() && System.nanoTime() < end) {
            Thread.sleep(10);
        }
    }
}
