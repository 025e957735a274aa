package dev.skiff.p9.server;

import static dev.skiff.p9.server.FidOpsTest.errno;
import static dev.skiff.p9.server.Harness.ROOT;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Rmessage;
import dev.skiff.p9.wire.Rmessage.Rlerror;
import dev.skiff.p9.wire.Rmessage.Rlock;
import dev.skiff.p9.wire.Rmessage.Rversion;
import dev.skiff.p9.wire.Tmessage.Tlock;
import dev.skiff.p9.wire.Tmessage.Tread;
import dev.skiff.p9.wire.Tmessage.Tversion;
import dev.skiff.sys.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Version negotiation, concurrency, Tflush, the pending cap and connection teardown. */
class SessionTest {
    @TempDir Path tmp;
    Harness h;

    @BeforeEach
    void start() throws IOException {
        h = Harness.passthrough(tmp, false, null, new Limits(P9.MAX_MSIZE, 64, 2));
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    @Test
    void versionNegotiatesMsizeUpTo1MiB() throws IOException {
        P9Client c = h.connect();
        assertEquals(new Rversion(P9.MAX_MSIZE, "9P2000.L"), c.version(4 << 20));
        assertEquals(new Rversion(65536, "9P2000.L"), c.version(65536));
        assertEquals(P9.VERSION_UNKNOWN, ((Rversion) c.call(new Tversion(65536, "9P2000"))).version());
        assertEquals(P9.VERSION_UNKNOWN, ((Rversion) c.call(new Tversion(512, "9P2000.L"))).version(), "msize too small");
    }

    @Test
    void requestsBeforeVersionAreRefused() throws IOException {
        P9Client c = h.connect();
        assertEquals(Errno.EPROTO, errno(() -> c.attach(1, P9.NOFID, "u", "", 0)));
        c.version(8192);
        c.attach(1, P9.NOFID, "u", "", 0);
    }

    @Test
    void versionAgainResetsTheSession() throws IOException {
        P9Client c = h.attach();
        c.walk(ROOT, 1);
        c.version(8192);
        assertEquals(Errno.EBADF, errno(() -> c.getattr(1)));
        assertEquals(Errno.EBADF, errno(() -> c.getattr(ROOT)));
    }

    @Test
    void unknownMessageTypesGetEOPNOTSUPPAndTheConnectionGoesOn() throws IOException {
        P9Client c = h.attach();
        CompletableFuture<Rmessage> r = new CompletableFuture<>();
        // Topen (9P2000) with tag 77: size 12, type 112, tag, fid[4], mode[1]
        c.sendRaw(new byte[] {12, 0, 0, 0, (byte) P9.TOPEN, 77, 0, 0, 0, 0, 0, 0});
        assertTrue(c.getattr(ROOT).qid().isDir(), "still served");
    }

    @Test
    void flushOfAnUnknownTagIsAnsweredAtOnce() throws IOException {
        P9Client c = h.attach();
        c.flush(4242);
        assertTrue(c.getattr(ROOT).qid().isDir());
    }

    @Test
    void flushAfterCompletionStillComesAfterTheReply() throws Exception {
        Files.writeString(h.export.resolve("f"), "abc");
        P9Client c = h.attach();
        c.walk(ROOT, 1, "f");
        c.lopen(1, P9.DOTL_RDONLY);
        for (int i = 0; i < 50; i++) {
            P9Client.Call read = c.send(new Tread(1, 0, 3));
            c.flush(read.tag());
            // flush(5): a reply that was sent precedes the Rflush; one that was dropped never comes.
            if (read.reply().isDone()) {
                assertArrayEquals("abc".getBytes(), ((Rmessage.Rread) read.reply().get()).data());
            }
        }
    }

    @Test
    void requestsRunConcurrentlyAndWaitingLocksDoNotFillThePendingCap() throws Exception {
        Files.writeString(h.export.resolve("f"), "x");
        P9Client a = h.attach();
        P9Client b = h.attach();
        a.walk(ROOT, 1, "f");
        a.lopen(1, P9.DOTL_RDWR);
        assertEquals(P9.LOCK_SUCCESS, a.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0));
        List<CompletableFuture<Rmessage>> waiting = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            b.walk(ROOT, 10 + i, "f");
            b.lopen(10 + i, P9.DOTL_RDWR);
            waiting.add(b.send(new Tlock(10 + i, P9.LOCK_TYPE_WRLCK, P9.LOCK_FLAGS_BLOCK, i, 1, 1, "b")).reply());
        }
        // With a cap of 2 pending requests, five waiting locks still leave room:
        assertTrue(b.getattr(ROOT).qid().isDir());
        a.lock(1, P9.LOCK_TYPE_UNLCK, 0, 0, 0);
        for (CompletableFuture<Rmessage> w : waiting) {
            assertEquals(new Rlock(P9.LOCK_SUCCESS), w.get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void manyConcurrentRequestsOnOneConnectionAllComplete() throws Exception {
        Files.write(h.export.resolve("f"), new byte[4096]);
        P9Client c = h.attach();
        c.walk(ROOT, 1, "f");
        c.lopen(1, P9.DOTL_RDONLY);
        List<CompletableFuture<Rmessage>> replies = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            replies.add(c.send(new Tread(1, i, 100)).reply());
        }
        for (CompletableFuture<Rmessage> r : replies) {
            Rmessage m = r.get(60, TimeUnit.SECONDS);
            assertFalse(m instanceof Rlerror, m.toString());
        }
    }

    @Test
    void closingAConnectionClunksItsFidsAndReleasesItsLocks() throws Exception {
        Files.writeString(h.export.resolve("f"), "x");
        P9Client a = h.attach();
        a.walk(ROOT, 1, "f");
        a.lopen(1, P9.DOTL_RDWR);
        a.lock(1, P9.LOCK_TYPE_WRLCK, 0, 0, 0);
        P9Client b = h.attach();
        b.walk(ROOT, 1, "f");
        b.lopen(1, P9.DOTL_RDWR);
        CompletableFuture<Rmessage> w = b.send(new Tlock(1, P9.LOCK_TYPE_WRLCK, P9.LOCK_FLAGS_BLOCK, 0, 0, 1, "b")).reply();
        a.close();
        assertEquals(new Rlock(P9.LOCK_SUCCESS), w.get(30, TimeUnit.SECONDS));
    }
}
