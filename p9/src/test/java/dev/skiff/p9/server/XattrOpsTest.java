package dev.skiff.p9.server;

import static dev.skiff.p9.server.FidOpsTest.errno;
import static dev.skiff.p9.server.Harness.ROOT;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.client.P9Client;
import dev.skiff.sys.Errno;
import dev.skiff.sys.Xattrs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Txattrwalk (get and list) and Txattrcreate (create, replace, remove; applied at clunk). */
class XattrOpsTest {
    @TempDir Path tmp;
    Harness h;
    P9Client c;

    protected Harness harness(Path tmp) throws IOException {
        return Harness.passthrough(tmp);
    }

    @BeforeEach
    void start() throws IOException {
        h = harness(tmp);
        c = h.attach();
        Files.writeString(h.export.resolve("f"), "");
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    void set(int fid, String name, String value, int flags) throws IOException {
        int x = c.newFid() + 100;
        c.walk(fid, x);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        c.xattrcreate(x, name, v.length, flags);
        if (v.length > 0) {
            c.write(x, 0, Arrays.copyOfRange(v, 0, v.length / 2));
            c.write(x, v.length / 2, Arrays.copyOfRange(v, v.length / 2, v.length));
        }
        c.clunk(x);
    }

    String get(int fid, String name) throws IOException {
        int x = c.newFid() + 100;
        long size = c.xattrwalk(fid, x, name);
        byte[] v = c.read(x, 0, (int) size + 10);
        c.clunk(x);
        assertEquals(size, v.length);
        return new String(v, StandardCharsets.UTF_8);
    }

    Set<String> list(int fid) throws IOException {
        String all = get(fid, "");
        Set<String> s = new HashSet<>();
        for (String n : all.split("\0")) {
            if (!n.isEmpty()) {
                s.add(n);
            }
        }
        return s;
    }

    @Test
    void createReadListReplaceRemove() throws IOException {
        c.walk(ROOT, 1, "f");
        set(1, "user.color", "blue", 0);
        assertEquals("blue", get(1, "user.color"));
        assertTrue(list(1).contains("user.color"));
        assertEquals(Errno.EEXIST, errno(() -> set(1, "user.color", "red", Xattrs.XATTR_CREATE)));
        set(1, "user.color", "green", Xattrs.XATTR_REPLACE);
        assertEquals("green", get(1, "user.color"));
        assertEquals(Errno.ENODATA, errno(() -> set(1, "user.shape", "x", Xattrs.XATTR_REPLACE)));
        set(1, "user.empty", "", 0);
        assertEquals("", get(1, "user.empty"), "an empty value is a value");
        set(1, "user.color", "", Xattrs.XATTR_REPLACE);
        assertFalse(list(1).contains("user.color"), "size 0 with XATTR_REPLACE removes (removexattr)");
        assertEquals(Errno.ENODATA, errno(() -> get(1, "user.color")));
    }

    @Test
    void valueShorterThanAnnouncedFailsAtClunk() throws IOException {
        c.walk(ROOT, 1, "f");
        c.walk(1, 2);
        c.xattrcreate(2, "user.partial", 10, 0);
        c.write(2, 0, new byte[3]);
        assertEquals(Errno.EINVAL, errno(() -> c.clunk(2)));
        assertEquals(Errno.ENODATA, errno(() -> get(1, "user.partial")));
        c.walk(1, 3);
        c.xattrcreate(3, "user.over", 2, 0);
        assertEquals(Errno.ENOSPC, errno(() -> c.write(3, 0, new byte[3])));
        assertEquals(Errno.E2BIG, errno(() -> c.xattrcreate(1, "user.huge", Xattrs.XATTR_SIZE_MAX + 1L, 0)));
    }

    @Test
    void largeValuesAreReadInPieces() throws IOException {
        c.walk(ROOT, 1, "f");
        String big = "v".repeat(3000);
        set(1, "user.big", big, 0);
        c.walk(1, 50);
        assertEquals(3000, c.xattrwalk(1, 51, "user.big"));
        StringBuilder got = new StringBuilder();
        for (int off = 0; off < 3000; off += 1000) {
            got.append(new String(c.read(51, off, 1000), StandardCharsets.UTF_8));
        }
        assertEquals(big, got.toString());
    }

    @Test
    void directoriesHaveXattrsToo() throws IOException {
        Files.createDirectory(h.export.resolve("d"));
        c.walk(ROOT, 1, "d");
        set(1, "user.k", "v", 0);
        assertEquals("v", get(1, "user.k"));
    }
}
