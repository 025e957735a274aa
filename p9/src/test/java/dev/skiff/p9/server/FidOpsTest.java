package dev.skiff.p9.server;

import static dev.skiff.p9.server.Harness.ROOT;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.client.RlerrorException;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Qid;
import dev.skiff.sys.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conformance of Tattach, Twalk, Tclunk and Tremove, through the Java client over a socket pair. */
class FidOpsTest {
    @TempDir Path tmp;
    Harness h;
    P9Client c;

    /** The backend under test; subclasses run the same suite on another backend. */
    protected Harness harness(Path tmp) throws IOException {
        return Harness.passthrough(tmp);
    }

    @BeforeEach
    void start() throws IOException {
        h = harness(tmp);
        c = h.attach();
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    static int errno(org.junit.jupiter.api.function.Executable e) {
        return assertThrows(RlerrorException.class, e).errno();
    }

    @Test
    void attachAcceptsEmptyAnameAndTheExportPathOnly() throws IOException {
        P9Client d = h.connect();
        d.version(8192);
        Qid q = d.attach(1, P9.NOFID, "u", h.export.toString(), 0);
        assertTrue(q.isDir());
        assertEquals(q, d.attach(2, P9.NOFID, "u", h.export + "/", 0));
        assertEquals(Errno.ENOENT, errno(() -> d.attach(3, P9.NOFID, "u", "/etc", 0)));
        assertEquals(Errno.EBADF, errno(() -> d.attach(1, P9.NOFID, "u", "", 0)), "fid in use");
    }

    @Test
    void walkReturnsAQidPerNameAndClones() throws IOException {
        Files.createDirectories(h.export.resolve("a/b"));
        Files.writeString(h.export.resolve("a/b/f"), "x");
        List<Qid> q = c.walk(ROOT, 1, "a", "b", "f");
        assertEquals(3, q.size());
        assertTrue(q.get(0).isDir() && q.get(1).isDir() && !q.get(2).isDir());
        assertEquals(List.of(), c.walk(1, 2));
        assertEquals(q.get(2), c.getattr(2).qid());
        assertEquals(q.get(2), c.walk(ROOT, 3, "a", "b", "f").get(2), "qids are stable");
    }

    @Test
    void walkErrorsAndPartialWalks() throws IOException {
        Files.createDirectories(h.export.resolve("a"));
        assertEquals(Errno.ENOENT, errno(() -> c.walk(ROOT, 1, "missing")));
        List<Qid> partial = c.walk(ROOT, 1, "a", "missing", "x");
        assertEquals(1, partial.size());
        assertEquals(Errno.EBADF, errno(() -> c.getattr(1)), "newfid not made by a partial walk");
        assertEquals(Errno.EBADF, errno(() -> c.walk(77, 1)));
        c.walk(ROOT, 5);
        assertEquals(Errno.EBADF, errno(() -> c.walk(ROOT, 5)), "newfid in use");
        Files.writeString(h.export.resolve("file"), "");
        assertEquals(1, c.walk(ROOT, 6, "file", "x").size(), "a failing later step is a partial walk");
        c.walk(ROOT, 7, "file");
        assertEquals(Errno.ENOTDIR, errno(() -> c.walk(7, 8, "x")));
    }

    @Test
    void walkWithNewfidEqualFidMovesTheFid() throws IOException {
        Files.createDirectories(h.export.resolve("a/b"));
        c.walk(ROOT, 1);
        Qid b = c.walk(1, 1, "a", "b").get(1);
        assertEquals(b, c.getattr(1).qid());
    }

    @Test
    void dotDotWalksUpButNeverAboveTheRoot() throws IOException {
        Files.createDirectories(h.export.resolve("a/b"));
        Qid root = c.getattr(ROOT).qid();
        Qid a = c.walk(ROOT, 1, "a").get(0);
        assertEquals(a, c.walk(ROOT, 2, "a", "b", "..").get(2));
        assertEquals(root, c.walk(ROOT, 3, "a", "..").get(1));
        assertEquals(root, c.walk(ROOT, 4, "..").get(0));
        assertEquals(root, c.walk(ROOT, 5, "..", "..", "..").get(2));
        assertEquals(root, c.walk(ROOT, 6, ".").get(0));
    }

    @Test
    void clunkForgetsTheFid() throws IOException {
        c.walk(ROOT, 1);
        c.clunk(1);
        assertEquals(Errno.EBADF, errno(() -> c.clunk(1)));
        assertEquals(Errno.EBADF, errno(() -> c.getattr(1)));
    }

    @Test
    void removeDeletesFilesAndEmptyDirsAndAlwaysClunks() throws IOException {
        Files.writeString(h.export.resolve("f"), "x");
        Files.createDirectories(h.export.resolve("d/e"));
        c.walk(ROOT, 1, "f");
        c.remove(1);
        assertFalse(Files.exists(h.export.resolve("f")));
        assertEquals(Errno.EBADF, errno(() -> c.getattr(1)));
        c.walk(ROOT, 2, "d");
        assertEquals(Errno.ENOTEMPTY, errno(() -> c.remove(2)));
        assertEquals(Errno.EBADF, errno(() -> c.getattr(2)), "clunked even though remove failed");
        c.walk(ROOT, 3, "d", "e");
        c.remove(3);
        assertFalse(Files.exists(h.export.resolve("d/e")));
        c.walk(ROOT, 4);
        assertEquals(Errno.EBUSY, errno(() -> c.remove(4)), "the root cannot be removed");
    }

    @Test
    void removeRefusesAFileReplacedSinceTheWalk() throws IOException {
        Files.writeString(h.export.resolve("f"), "old");
        c.walk(ROOT, 1, "f");
        Files.delete(h.export.resolve("f"));
        Files.writeString(h.export.resolve("f"), "new");
        assertEquals(Errno.ENOENT, errno(() -> c.remove(1)));
        assertEquals("new", Files.readString(h.export.resolve("f")));
    }

    @Test
    void fidCapIsPerConnection() throws Exception {
        try (Harness small = Harness.passthrough(tmp.resolve("small"), false, null, new Limits(P9.MAX_MSIZE, 4, 16))) {
            P9Client d = small.attach();
            d.walk(ROOT, 1);
            d.walk(ROOT, 2);
            d.walk(ROOT, 3);
            assertEquals(Errno.EMFILE, errno(() -> d.walk(ROOT, 4)));
            d.clunk(3);
            d.walk(ROOT, 4);
            P9Client e = small.attach();
            e.walk(ROOT, 1);
        }
    }
}
