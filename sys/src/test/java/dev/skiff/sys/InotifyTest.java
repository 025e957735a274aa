package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InotifyTest {
    private static final int ALL = Inotify.IN_CREATE | Inotify.IN_DELETE | Inotify.IN_MODIFY | Inotify.IN_CLOSE_WRITE
            | Inotify.IN_MOVED_FROM | Inotify.IN_MOVED_TO | Inotify.IN_ATTRIB;

    /** Reads until {@code wanted} events came or 10 s passed (the kernel queues them at once; this only waits for the read). */
    private static List<Inotify.Event> readAtLeast(Inotify in, int wanted) throws Exception {
        List<Inotify.Event> got = new ArrayList<>();
        long end = System.nanoTime() + 10_000_000_000L;
        while (got.size() < wanted && System.nanoTime() < end) {
            got.addAll(in.read(200));
        }
        return got;
    }

    @Test
    void reportsCreateWriteRenameAndDeleteWithNamesAndAPairedCookie(@TempDir Path dir) throws Exception {
        try (Inotify in = new Inotify()) {
            int wd = in.addWatch(dir.toString(), ALL | Inotify.IN_ONLYDIR);
            Files.writeString(dir.resolve("a"), "x");                   // CREATE, MODIFY, CLOSE_WRITE
            Files.move(dir.resolve("a"), dir.resolve("b"));              // MOVED_FROM a, MOVED_TO b
            Files.createDirectory(dir.resolve("d"));                     // CREATE|ISDIR d
            Files.delete(dir.resolve("b"));                              // DELETE b
            List<Inotify.Event> ev = readAtLeast(in, 7);
            assertTrue(ev.stream().allMatch(e -> e.wd() == wd), ev.toString());
            assertEquals(List.of("a", "a", "a", "a", "b", "d", "b"), ev.stream().map(Inotify.Event::name).toList(), ev.toString());
            assertTrue(ev.get(0).is(Inotify.IN_CREATE));
            Inotify.Event from = ev.get(3), to = ev.get(4);
            assertTrue(from.is(Inotify.IN_MOVED_FROM) && to.is(Inotify.IN_MOVED_TO), ev.toString());
            assertNotEquals(0, from.cookie());
            assertEquals(from.cookie(), to.cookie());
            assertTrue(ev.get(5).is(Inotify.IN_CREATE) && ev.get(5).is(Inotify.IN_ISDIR), ev.toString());
            assertTrue(ev.get(6).is(Inotify.IN_DELETE));
        }
    }

    @Test
    void aQuietWatchTimesOutEmptyAndABadPathNamesItself(@TempDir Path dir) throws Exception {
        try (Inotify in = new Inotify()) {
            in.addWatch(dir.toString(), ALL);
            assertEquals(List.of(), in.read(50));
            ErrnoException e = assertThrows(ErrnoException.class, () -> in.addWatch(dir.resolve("none").toString(), ALL));
            assertEquals(Errno.ENOENT, e.errno());
            assertTrue(e.getMessage().contains("none"), e.getMessage());
        }
    }
}
