package dev.skiff.p9.server;

import static dev.skiff.p9.server.FidOpsTest.errno;
import static dev.skiff.p9.server.Harness.ROOT;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.wire.DirEntry;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Rmessage.Rlcreate;
import dev.skiff.p9.wire.Rmessage.Rlopen;
import dev.skiff.sys.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Conformance of Tlopen (every open flag), Tlcreate, Tread, Twrite, Treaddir and Tfsync. */
class IoOpsTest {
    @TempDir Path tmp;
    Harness h;
    P9Client c;

    protected Harness harness(Path tmp) throws IOException {
        return Harness.passthrough(tmp);
    }

    /** True when the backend stores POSIX metadata natively (passthrough), so the host sees it. */
    protected boolean hostSeesMetadata() {
        return true;
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

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void lcreateWritesAndReadsBack() throws IOException {
        c.walk(ROOT, 1);
        Rlcreate r = c.lcreate(1, "f", P9.DOTL_CREATE | P9.DOTL_RDWR, 0640, 0);
        assertEquals((c.msize() - P9.IOHDRSZ) / 4096 * 4096, r.iounit(),
                "whole 4 KiB blocks, so that a client's O_DIRECT pieces stay aligned on the host");
        assertEquals(0, r.iounit() % 4096);
        assertEquals(5, c.write(1, 0, utf8("hello")));
        assertEquals(6, c.write(1, 5, utf8(" world")));
        assertEquals("hello world", new String(c.read(1, 0, 100), StandardCharsets.UTF_8));
        assertEquals("world", new String(c.read(1, 6, 100), StandardCharsets.UTF_8));
        assertEquals(0, c.read(1, 100, 10).length, "end of file");
        assertEquals("hello world", Files.readString(h.export.resolve("f")));
        assertEquals(0100640, c.getattr(1).mode());
        if (hostSeesMetadata()) assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(h.export.resolve("f"))),
                "mode applied exactly, not masked by the server's umask");
        assertEquals(r.qid(), c.getattr(1).qid(), "the fid now names the new file");
        assertEquals(Errno.EEXIST, errno(() -> {
            c.walk(ROOT, 2);
            c.lcreate(2, "f", P9.DOTL_CREATE | P9.DOTL_EXCL | P9.DOTL_WRONLY, 0644, 0);
        }));
    }

    @Test
    void largeReadsAndWritesUseTheWholeMsize() throws IOException {
        c.walk(ROOT, 1);
        c.lcreate(1, "big", P9.DOTL_CREATE | P9.DOTL_RDWR, 0644, 0);
        byte[] data = new byte[c.msize() - P9.IOHDRSZ];
        new java.util.Random(1).nextBytes(data);
        assertEquals(data.length, c.write(1, 0, data));
        assertArrayEquals(data, c.read(1, 0, Integer.MAX_VALUE), "count is clamped to msize");
    }

    @Test
    void openFlagsTruncAppendExclDirectoryNofollow() throws IOException {
        Files.writeString(h.export.resolve("f"), "0123456789");
        Files.createSymbolicLink(h.export.resolve("ln"), Path.of("f"));
        Files.createDirectory(h.export.resolve("d"));
        c.walk(ROOT, 1, "f");
        c.lopen(1, P9.DOTL_WRONLY | P9.DOTL_APPEND);
        c.write(1, 0, utf8("AB"));
        assertEquals("0123456789AB", Files.readString(h.export.resolve("f")), "O_APPEND ignores the offset");
        c.walk(ROOT, 2, "f");
        c.lopen(2, P9.DOTL_RDWR | P9.DOTL_TRUNC);
        assertEquals(0, Files.size(h.export.resolve("f")));
        c.walk(ROOT, 3, "f");
        assertEquals(Errno.ENOTDIR, errno(() -> c.lopen(3, P9.DOTL_RDONLY | P9.DOTL_DIRECTORY)));
        c.walk(ROOT, 4, "ln");
        assertEquals(Errno.ELOOP, errno(() -> c.lopen(4, P9.DOTL_RDONLY | P9.DOTL_NOFOLLOW)));
        c.walk(ROOT, 5, "d");
        assertEquals(Errno.EISDIR, errno(() -> c.lopen(5, P9.DOTL_WRONLY)));
        c.walk(ROOT, 6, "f");
        c.lopen(6, P9.DOTL_RDONLY);
        assertEquals(Errno.EBADF, errno(() -> c.lopen(6, P9.DOTL_RDONLY)), "a fid opens once");
        assertEquals(Errno.EBADF, errno(() -> c.write(6, 0, utf8("x"))), "read-only descriptor");
        assertEquals(Errno.EBADF, errno(() -> c.walk(6, 7)), "an open fid cannot be walked");
    }

    @Test
    void openFlagsSyncDsyncNoatimeNonblockCloexecDirectAreAccepted() throws IOException {
        Files.writeString(h.export.resolve("f"), "x".repeat(8192));
        int[] flags = {P9.DOTL_SYNC, P9.DOTL_DSYNC, P9.DOTL_NOATIME, P9.DOTL_NONBLOCK, P9.DOTL_CLOEXEC,
                P9.DOTL_DIRECT, P9.DOTL_LARGEFILE, P9.DOTL_NOCTTY, P9.DOTL_FASYNC};
        int fid = 10;
        for (int f : flags) {
            c.walk(ROOT, fid, "f");
            Rlopen r = c.lopen(fid, P9.DOTL_RDWR | f);
            assertFalse(r.qid().isDir());
            assertEquals(4096, c.write(fid, 0, new byte[4096]), "flag " + Integer.toOctalString(f));
            assertEquals(4096, c.read(fid, 4096, 4096).length, "flag " + Integer.toOctalString(f));
            fid++;
        }
    }

    @Test
    void nonblockingOpenOfAFifoWithoutWriterSucceeds() throws Exception {
        c.walk(ROOT, 1);
        c.mknod(1, "fifo", 010644, 0, 0, 0);
        c.walk(ROOT, 2, "fifo");
        c.lopen(2, P9.DOTL_RDONLY | P9.DOTL_NONBLOCK);
        assertEquals(0, c.read(2, 0, 10).length, "no writer: end of file, not a hang");
    }

    @Test
    void readdirListsEverythingAcrossCallsAndResumesByOffset() throws IOException {
        Set<String> want = new HashSet<>(List.of(".", ".."));
        for (int i = 0; i < 300; i++) {
            Files.writeString(h.export.resolve("file-with-a-longish-name-" + i), "");
            want.add("file-with-a-longish-name-" + i);
        }
        Files.createDirectory(h.export.resolve("sub"));
        want.add("sub");
        c.walk(ROOT, 1);
        assertEquals(Math.min(c.msize() - P9.IOHDRSZ, 64 * 1024 - P9.IOHDRSZ),
                c.lopen(1, P9.DOTL_RDONLY | P9.DOTL_DIRECTORY).iounit(),
                "a directory's iounit is capped, so that the Linux client's Treaddir buffers stay small");
        List<String> got = new ArrayList<>();
        long offset = 0;
        int calls = 0;
        while (true) {
            List<DirEntry> batch = c.readdir(1, offset, 1024);
            if (batch.isEmpty()) {
                break;
            }
            calls++;
            int bytes = 0;
            for (DirEntry e : batch) {
                got.add(e.name());
                bytes += DirEntry.size(utf8(e.name()));
                if (e.name().equals("sub")) {
                    assertEquals(4, e.dtype());
                    assertTrue(e.qid().isDir());
                }
            }
            assertTrue(bytes <= 1024, "count respected");
            offset = batch.getLast().offset();
        }
        assertTrue(calls > 5);
        assertEquals(want.size(), got.size(), "no entry lost or repeated");
        assertEquals(want, new HashSet<>(got));
        c.walk(ROOT, 2);
        assertEquals(Errno.EBADF, errno(() -> c.readdir(2, 0, 1000)), "readdir needs an open fid");
    }

    @Test
    void fsyncAndFdatasync() throws IOException {
        c.walk(ROOT, 1);
        c.lcreate(1, "f", P9.DOTL_CREATE | P9.DOTL_WRONLY, 0644, 0);
        c.write(1, 0, utf8("data"));
        c.fsync(1, false);
        c.fsync(1, true);
        c.walk(ROOT, 2);
        assertEquals(Errno.EBADF, errno(() -> c.fsync(2, false)));
    }

    @Test
    void lcreateInAFileOrWithIllegalNamesFails() throws IOException {
        Files.writeString(h.export.resolve("f"), "");
        c.walk(ROOT, 1, "f");
        assertEquals(Errno.ENOTDIR, errno(() -> c.lcreate(1, "x", P9.DOTL_CREATE | P9.DOTL_WRONLY, 0644, 0)));
        c.walk(ROOT, 2);
        assertEquals(Errno.ENOENT, errno(() -> c.lcreate(2, "a/b", P9.DOTL_CREATE, 0644, 0)));
        assertEquals(Errno.EEXIST, errno(() -> c.lcreate(2, "..", P9.DOTL_CREATE, 0644, 0)));
        assertEquals(Errno.ENOENT, errno(() -> c.lcreate(2, "", P9.DOTL_CREATE, 0644, 0)));
    }
}
