package dev.skiff.engine.container;

import static dev.skiff.engine.testing.Eventually.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** docker cp and the release of the container's VM: neither cuts the other. */
class VmUsersTest {
    @Test
    void aReleaseWaitsForTheCopyThatBeganBeforeIt() throws Exception {
        VmUsers users = new VmUsers(Duration.ofMinutes(1));
        users.enter();
        AtomicBoolean inTime = new AtomicBoolean();
        Thread release = Thread.ofPlatform().start(() -> inTime.set(users.beginRelease()));
        awaitBlocked(release);
        assertTrue(release.isAlive(), "the VM is not released while a copy uses it");
        users.leave();
        release.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(release.isAlive());
        assertTrue(inTime.get(), "the copy ended in time");
        users.endRelease();
        assertEquals(0, users.users());
    }

    @Test
    void aCopyThatBeginsDuringAReleaseWaitsForItsEnd() throws Exception {
        VmUsers users = new VmUsers(Duration.ofMinutes(1));
        assertTrue(users.beginRelease());
        CountDownLatch entered = new CountDownLatch(1);
        Thread copy = Thread.ofPlatform().start(() -> {
            users.enter();
            entered.countDown();
        });
        awaitBlocked(copy);
        assertEquals(1, entered.getCount(), "the copy waits while the VM is released");
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

    /** Until the thread waits in VmUsers' monitor: the event that it is held, not a guess of time. */
    private static void awaitBlocked(Thread t) {
        await(t.getName() + " waiting", () -> t.getState() == Thread.State.WAITING
                || t.getState() == Thread.State.TIMED_WAITING);
    }
}
