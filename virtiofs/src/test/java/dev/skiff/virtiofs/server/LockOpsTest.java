package dev.skiff.virtiofs.server;

import static dev.skiff.virtiofs.server.FuseClient.le;
import static dev.skiff.virtiofs.server.FuseClient.lk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.p9.fs.OpenFile;
import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.sys.Errno;
import dev.skiff.sys.OpenFlags;
import dev.skiff.virtiofs.wire.Fuse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POSIX locks through two handles of two sessions on one file: GETLK sees SETLK's lock, SETLKW waits for its release. */
class LockOpsTest {
    @TempDir Path dir;
    Passthrough fs;
    FuseClient a, b;
    long fhA, fhB;

    @BeforeEach
    void start() throws IOException {
        Files.writeString(dir.resolve("locked"), "0123456789");
        fs = new Passthrough(dir);
        a = new FuseClient(new FuseSession(fs, false, CachePolicy.COHERENT, FuseLimits.DEFAULT));
        b = new FuseClient(new FuseSession(fs, false, CachePolicy.COHERENT, FuseLimits.DEFAULT));
        a.init().ok();
        b.init().ok();
        fhA = a.open(FuseClient.entry(a.lookup(Fuse.ROOT_ID, "locked")).nodeid(), OpenFlags.O_RDWR);
        fhB = b.open(FuseClient.entry(b.lookup(Fuse.ROOT_ID, "locked")).nodeid(), OpenFlags.O_RDWR);
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
        fs.close();
    }

    @Test
    void getlkReportsTheConflictingLock() {
        a.call(Fuse.SETLK, 0, lk(fhA, 1, 2, 5, OpenFile.F_WRLCK, 100)).ok();
        ByteBuffer l = b.call(Fuse.GETLK, 0, lk(fhB, 2, 0, Fuse.OFFSET_MAX, OpenFile.F_RDLCK, 200)).ok().body();
        assertEquals(2, l.getLong(0), "start");
        assertEquals(5, l.getLong(8), "inclusive end");
        assertEquals(OpenFile.F_WRLCK, l.getInt(16), "type");
        assertNotEquals(0, l.getInt(20), "pid");
        assertEquals(-Errno.EAGAIN, b.call(Fuse.SETLK, 0, lk(fhB, 2, 4, 4, OpenFile.F_RDLCK, 200)).error());

        ByteBuffer free = b.call(Fuse.GETLK, 0, lk(fhB, 2, 6, Fuse.OFFSET_MAX, OpenFile.F_WRLCK, 200)).ok().body();
        assertEquals(OpenFile.F_UNLCK, free.getInt(16), "no conflict beyond the locked range");
    }

    @Test
    void setlkwWaitsUntilTheHolderUnlocks() throws Exception {
        a.call(Fuse.SETLK, 0, lk(fhA, 1, 0, Fuse.OFFSET_MAX, OpenFile.F_WRLCK, 100)).ok();
        AtomicBoolean unlocked = new AtomicBoolean();
        CompletableFuture<Boolean> afterUnlock = new CompletableFuture<>();
        Thread waiter = Thread.ofVirtual().start(() -> {
            FuseClient.Reply r = b.call(Fuse.SETLKW, 0, lk(fhB, 2, 0, 9, OpenFile.F_WRLCK, 200));
            afterUnlock.complete(r.error() == 0 && unlocked.get());
        });
        // the event that the waiter is in its retry pause: its thread sleeps (bounded poll, not an order assumption)
        // (the state seen is kept: the pause is 1 to 25 ms, so a second look may find it retrying)
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Thread.State seen = waiter.getState();
        while (seen != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            seen = waiter.getState();
        }
        assertEquals(Thread.State.TIMED_WAITING, seen, "SETLKW retries while the lock is held");
        assertFalse(afterUnlock.isDone());
        unlocked.set(true);
        a.call(Fuse.SETLK, 0, lk(fhA, 1, 0, Fuse.OFFSET_MAX, OpenFile.F_UNLCK, 100)).ok();
        assertTrue(afterUnlock.get(10, TimeUnit.SECONDS), "SETLKW succeeded, and only after the unlock");
    }

    @Test
    void flushUnlocksAndReleaseEndsAWait() throws Exception {
        a.call(Fuse.SETLK, 0, lk(fhA, 1, 0, Fuse.OFFSET_MAX, OpenFile.F_WRLCK, 100)).ok();
        a.call(Fuse.FLUSH, 0, le(24).putLong(fhA).putLong(0).putLong(1).array()).ok();
        b.call(Fuse.SETLK, 0, lk(fhB, 2, 0, Fuse.OFFSET_MAX, OpenFile.F_WRLCK, 200)).ok();

        CompletableFuture<Integer> wait = CompletableFuture.supplyAsync(
                () -> a.call(Fuse.SETLKW, 0, lk(fhA, 1, 0, 0, OpenFile.F_WRLCK, 100)).error(),
                r -> Thread.ofVirtual().start(r));
        a.release(fhA, false).ok();
        int error = wait.get(10, TimeUnit.SECONDS);
        assertTrue(error == -Errno.EINTR || error == -Errno.EBADF, "a released handle ends the wait: " + error);
    }

    @Test
    void badRangesAndTypesAreInvalid() {
        assertEquals(-Errno.EINVAL, a.call(Fuse.SETLK, 0, lk(fhA, 1, 9, 3, OpenFile.F_WRLCK, 1)).error());
        assertEquals(-Errno.EINVAL, a.call(Fuse.SETLK, 0, lk(fhA, 1, 0, 3, 7, 1)).error());
        assertEquals(-Errno.EBADF, a.call(Fuse.GETLK, 0, lk(999, 1, 0, 3, OpenFile.F_WRLCK, 1)).error());
    }
}
