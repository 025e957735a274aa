package dev.skiff.p9.server;

import static dev.skiff.p9.server.FidOpsTest.errno;
import static dev.skiff.p9.server.Harness.ROOT;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Rmessage;
import dev.skiff.p9.wire.Rmessage.Rgetlock;
import dev.skiff.p9.wire.Rmessage.Rlock;
import dev.skiff.p9.wire.Tmessage.Tlock;
import dev.skiff.sys.Errno;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tlock and Tgetlock: byte ranges, conflicts between two connections (as two VMs mounting one
 * share would be), blocking, Tflush of a blocked lock, and conflicts with a lock held on the
 * host outside the server (a java.nio FileLock is a traditional fcntl(F_SETLK) lock, which
 * OFD locks conflict with even inside one process).
 */
class LockOpsTest {
    @TempDir Path tmp;
    Harness h;
    P9Client a, b;

    protected Harness harness(Path tmp) throws IOException {
        return Harness.passthrough(tmp);
    }

    /** Whether locks taken on the host outside the server are seen (not by the mapped backend). */
    protected boolean seesHostLocks() {
        return true;
    }

    @BeforeEach
    void start() throws IOException {
        h = harness(tmp);
        Files.writeString(h.export.resolve("f"), "0123456789");
        a = h.attach();
        b = h.attach();
        a.walk(ROOT, 1, "f");
        a.lopen(1, P9.DOTL_RDWR);
        b.walk(ROOT, 1, "f");
        b.lopen(1, P9.DOTL_RDWR);
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    @Test
    void writeLocksConflictBetweenClientsByRange() throws IOException {
        assertEquals(P9.LOCK_SUCCESS, a.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 5));
        assertEquals(P9.LOCK_BLOCKED, b.lock(1, P9.LOCK_TYPE_WRLCK, 0, 4, 2));
        assertEquals(P9.LOCK_SUCCESS, b.lock(1, P9.LOCK_TYPE_WRLCK, 0, 5, 5), "disjoint range");
        Rgetlock g = b.getlock(1, P9.LOCK_TYPE_RDLCK, 0, 0);
        assertEquals(P9.LOCK_TYPE_WRLCK, g.lockType());
        assertEquals(0, g.start());
        assertEquals(5, g.length());
        assertEquals(P9.LOCK_SUCCESS, a.lock(1, P9.LOCK_TYPE_UNLCK, 0, 0, 5));
        assertEquals(P9.LOCK_SUCCESS, b.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 5));
        assertEquals(P9.LOCK_TYPE_UNLCK, b.getlock(1, P9.LOCK_TYPE_WRLCK, 0, 0).lockType(), "own locks never conflict");
    }

    @Test
    void readLocksShare() throws IOException {
        assertEquals(P9.LOCK_SUCCESS, a.lock(1, P9.LOCK_TYPE_RDLCK, 0, 0, 0));
        assertEquals(P9.LOCK_SUCCESS, b.lock(1, P9.LOCK_TYPE_RDLCK, 0, 0, 0));
        assertEquals(P9.LOCK_BLOCKED, b.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0));
    }

    @Test
    void blockingLockWaitsForTheUnlock() throws Exception {
        assertEquals(P9.LOCK_SUCCESS, a.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0));
        Tlock t = new Tlock(1, P9.LOCK_TYPE_WRLCK, P9.LOCK_FLAGS_BLOCK, 0, 0, 2, "b");
        CompletableFuture<Rmessage> waiting = b.send(t).reply();
        // Prove b is really waiting: a getlock from b's side still sees a's lock.
        assertEquals(P9.LOCK_TYPE_WRLCK, b.getlock(1, P9.LOCK_TYPE_WRLCK, 0, 0).lockType());
        assertFalse(waiting.isDone());
        a.lock(1, P9.LOCK_TYPE_UNLCK, 0, 0, 0);
        assertEquals(new Rlock(P9.LOCK_SUCCESS), waiting.get(30, TimeUnit.SECONDS));
        assertEquals(P9.LOCK_BLOCKED, a.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0));
    }

    @Test
    void blockedLockCanBeFlushedAndIsNotGrantedAfterwards() throws Exception {
        assertEquals(P9.LOCK_SUCCESS, a.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0));
        P9Client.Call call = b.send(new Tlock(1, P9.LOCK_TYPE_WRLCK, P9.LOCK_FLAGS_BLOCK, 0, 0, 2, "b"));
        b.getlock(1, P9.LOCK_TYPE_WRLCK, 0, 0);
        b.flush(call.tag());
        assertFalse(call.reply().isDone(), "the flushed Tlock gets no reply (it was dropped, then Rflush)");
        a.lock(1, P9.LOCK_TYPE_UNLCK, 0, 0, 0);
        assertEquals(P9.LOCK_SUCCESS, a.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0), "the flushed request took no lock");
    }

    @Test
    void closingTheFidReleasesItsLocks() throws IOException {
        assertEquals(P9.LOCK_SUCCESS, a.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0));
        a.clunk(1);
        assertEquals(P9.LOCK_SUCCESS, b.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0));
    }

    @Test
    void locksConflictWithAHostProcess() throws Exception {
        if (!seesHostLocks()) {
            // The mapped backend keeps locks inside the server (its documented limit): a host
            // process's lock is invisible to clients, and theirs to it.
            try (FileChannel ch = FileChannel.open(h.export.resolve("f"), StandardOpenOption.READ, StandardOpenOption.WRITE);
                 FileLock host = ch.lock(0, 3, false)) {
                assertEquals(P9.LOCK_SUCCESS, a.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0));
                assertEquals(P9.LOCK_BLOCKED, b.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0), "clients still conflict");
            }
            return;
        }
        try (FileChannel ch = FileChannel.open(h.export.resolve("f"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock host = ch.lock(0, 3, false);
            assertEquals(P9.LOCK_BLOCKED, a.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0));
            Rgetlock g = a.getlock(1, P9.LOCK_TYPE_WRLCK, 0, 0);
            assertEquals(P9.LOCK_TYPE_WRLCK, g.lockType());
            assertEquals(ProcessHandle.current().pid(), g.procId(), "a process lock reports its pid");
            host.release();
            assertEquals(P9.LOCK_SUCCESS, a.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0));
            assertNull(ch.tryLock(0, 3, false), "and the host now sees the client's lock");
        }
    }

    @Test
    void getlockWithTypeUnlockTestsForAnyConflictingLockAsLinuxAsks() throws IOException {
        assertEquals(P9.LOCK_SUCCESS, a.lock(1, P9.LOCK_TYPE_RDLCK, 0, 0, 0));
        assertEquals(P9.LOCK_TYPE_RDLCK, b.getlock(1, P9.LOCK_TYPE_UNLCK, 0, 0).lockType(),
                "fs/9p/vfs_file.c sends UNLCK; a reader's lock still conflicts with the write it stands for");
        a.lock(1, P9.LOCK_TYPE_UNLCK, 0, 0, 0);
        assertEquals(P9.LOCK_TYPE_UNLCK, b.getlock(1, P9.LOCK_TYPE_UNLCK, 0, 0).lockType());
    }

    @Test
    void badLockRequests() throws IOException {
        assertEquals(Errno.EINVAL, errno(() -> a.lock(1, 7, 0, 0, 0)));
        assertEquals(Errno.EINVAL, errno(() -> a.lock(1, P9.LOCK_TYPE_WRLCK, 0, -1, 0)));
        a.walk(ROOT, 2, "f");
        assertEquals(Errno.EBADF, errno(() -> a.lock(2, P9.LOCK_TYPE_WRLCK, 0, 0, 0)), "not open");
    }
}
