package dev.skiff.p9.server;

import static dev.skiff.p9.server.FidOpsTest.errno;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.wire.P9;
import dev.skiff.p9.wire.Qid;
import dev.skiff.sys.Errno;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-share secrets through the afid, and Tauth on an export that requires none. */
class AuthTest {
    @TempDir Path tmp;
    static final byte[] SECRET = "s3cret-share-key".getBytes(StandardCharsets.UTF_8);

    @Test
    void attachNeedsTheSecretWrittenToTheAfid() throws Exception {
        try (Harness h = Harness.passthrough(tmp, false, SECRET, Limits.DEFAULT)) {
            P9Client c = h.connect();
            c.version(8192);
            assertEquals(Errno.EACCES, errno(() -> c.attach(1, P9.NOFID, "root", "", 0)), "no afid");
            Qid aqid = c.auth(10, "root", "", 0);
            assertEquals(P9.QTAUTH, aqid.type());
            c.write(10, 0, "wrong".getBytes(StandardCharsets.UTF_8));
            assertEquals(Errno.EACCES, errno(() -> c.attach(1, 10, "root", "", 0)), "wrong secret");
            assertEquals(0, c.read(10, 0, 100).length);
            c.auth(11, "root", h.export.toString(), 0);
            c.write(11, 0, SECRET);
            assertTrue(c.attach(1, 11, "root", h.export.toString(), 0).isDir());
            c.walk(1, 2);
            assertEquals(Errno.EACCES, errno(() -> c.attach(3, 2, "root", "", 0)), "a file fid is no afid");
            assertEquals(Errno.ENOENT, errno(() -> c.auth(12, "root", "/elsewhere", 0)));
        }
    }

    @Test
    void withoutASecretTauthIsRefusedAsDiodDoesAndAttachProceeds() throws Exception {
        try (Harness h = Harness.passthrough(tmp)) {
            P9Client c = h.connect();
            c.version(8192);
            assertEquals(Errno.ENOENT, errno(() -> c.auth(10, "root", "", 0)));
            assertTrue(c.attach(1, P9.NOFID, "root", "", 0).isDir());
        }
    }
}
