package dev.skiff.p9.server;

import static dev.skiff.p9.server.Harness.ROOT;
import static org.junit.jupiter.api.Assertions.*;

import dev.skiff.p9.client.P9Client;
import dev.skiff.p9.sys.RootOnly;
import dev.skiff.p9.wire.Qid;
import dev.skiff.sys.Fds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Qid paths: stable per file, unique across devices, including an export spanning two mounts. */
class QidMapTest {
    @TempDir Path tmp;

    @Test
    void sameInodeOnTwoDevicesGetsTwoPaths() {
        QidMap m = new QidMap();
        long a = m.path(2049, 12), b = m.path(64, 12);
        assertNotEquals(a, b);
        assertEquals(a, m.path(2049, 12), "stable");
        assertEquals(12, a & 0xffff_ffff_ffffL);
    }

    @Test
    void inodesBeyond48BitsFallBackToSerialNumbers() {
        QidMap m = new QidMap();
        long big = 1L << 50;
        long p1 = m.path(1, big), p2 = m.path(1, big + 1), p3 = m.path(2, big);
        assertEquals(3, Set.of(p1, p2, p3).size());
        assertTrue(p1 < 0, "the top bit marks a serial number");
        assertEquals(p1, m.path(1, big));
        assertNotEquals(p1, m.path(1, 0), "no clash with the prefixed form");
    }

    @Test
    void manyDevicesStayUnique() {
        QidMap m = new QidMap();
        Set<Long> seen = new HashSet<>();
        for (int dev = 0; dev < 40_000; dev++) {
            assertTrue(seen.add(m.path(dev, 5)), "device " + dev);
        }
    }

    /**
     * Mounts a tmpfs inside the export, whose small inode numbers collide with the base file
     * system's, and checks that the two root directories still get distinct qids. Needs root
     * (mount(2)); elsewhere it is skipped with that reason.
     */
    @Test
    void anExportSpanningTwoFileSystemsHasUniqueQids() throws Exception {
        RootOnly.require("mounting a tmpfs inside the export");
        try (Harness h = Harness.passthrough(tmp)) {
            Path mnt = Files.createDirectories(h.export.resolve("mnt"));
            Path sub = Files.createDirectories(h.export.resolve("sub"));
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "skiff-test", mnt.toString())
                    .redirectErrorStream(true).start();
            assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
            try {
                Files.writeString(mnt.resolve("f"), "on tmpfs");
                P9Client c = h.attach();
                Qid m = c.walk(ROOT, 1, "mnt").get(0);
                Qid f = c.walk(ROOT, 2, "mnt", "f").get(1);
                Qid s = c.walk(ROOT, 3, "sub").get(0);
                Qid r = c.getattr(ROOT).qid();
                assertEquals(4, Set.of(m.path(), f.path(), s.path(), r.path()).size());
                assertNotEquals(m.path() >>> 48, s.path() >>> 48, "different devices, different prefixes");
                assertEquals(f, c.getattr(2).qid());
            } finally {
                new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor();
            }
        }
        assertTrue(Fds.geteuid() == 0);
    }
}
