package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * inotify on bind mounts for changes made outside the container's VM (issue 18): a container runs
 * Debian's inotifywait on its bind mount while the host, or a container in another VM, changes
 * the folder. Each change reaches the watcher as the event a local change would raise, the host's
 * files keep their times and modes, and a VM's own changes are not echoed back to it.
 *
 * <p>The watcher's image is made here from Debian's packages (inotify-tools, its library, libc6
 * and busybox-static, fetched with apt-get download) and imported with docker import.
 */
class DockerInotifyIT extends DaemonIT {
    static final String IMAGE = "skiff-test/inotify";
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    @BeforeAll
    static void image() throws Exception {
        importImage(daemon, base);
    }

    /** Makes the watcher's image ({@link #IMAGE}: inotifywait and busybox) and imports it into {@code daemon}. */
    static void importImage(DaemonProcess daemon, Path base) throws Exception {
        Path work = Files.createTempDirectory(base, "inotify-image");
        Process p = new ProcessBuilder("bash", "-ec", """
                apt-get download -q inotify-tools libinotifytools0 libc6 busybox-static >/dev/null 2>&1 \
                  || { echo "apt-get download failed: run apt-get update" >&2; exit 1; }
                mkdir root
                for f in *.deb; do dpkg-deb -x "$f" root; done
                ln -s busybox root/bin/sh
                tar -C root -cf image.tar .
                """).directory(work.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        daemon.ok("import", work.resolve("image.tar").toString(), IMAGE);
    }

    /** Starts inotifywait on /d in a container and waits until its watch is in place. */
    private static void watcher(String name, String isolation, Path dir) throws Exception {
        ok("run", "-d", "--name", name, "--isolation", isolation, "-v", dir + ":/d", IMAGE, "inotifywait", "-m",
                "-e", "create,modify,close_write,delete,moved_from,moved_to,attrib", "--format", "%e %f", "/d");
        awaitLog(name, "Watches established.");
    }

    /** The watcher's output once it holds {@code line} (waiting up to a minute), for further checks. */
    private static String awaitLog(String name, String line) throws Exception {
        long end = System.nanoTime() + WAIT_NANOS;
        while (true) {
            DaemonProcess.Result r = docker("logs", name);
            String all = r.out() + r.err();
            if (all.lines().anyMatch(l -> l.equals(line))) {
                return all;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(name + " never reported '" + line + "'; it reported:\n" + all);
            }
            Thread.sleep(100); // polling the log: the event itself is what the test waits for
        }
    }

    private static long count(String log, String line) {
        return log.lines().filter(l -> l.equals(line)).count();
    }

    /** The host's create, write, append, rename, mkdir, attribute change and deletes, each heard by every watcher. */
    private static void hostChangesReachEveryWatcher(Path dir, String... watchers) throws Exception {
        long t0 = System.nanoTime();
        Files.writeString(dir.resolve("a"), "first");
        for (String w : watchers) {
            awaitLog(w, "CREATE a");
            System.out.printf("inotify (%s): host create seen in the container after %d ms%n", w,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
        expectEverywhere(watchers, "CLOSE_WRITE,CLOSE a");
        Files.writeString(dir.resolve("a"), " more", java.nio.file.StandardOpenOption.APPEND);
        expectEverywhere(watchers, "MODIFY a");
        Files.move(dir.resolve("a"), dir.resolve("b"));
        expectEverywhere(watchers, "MOVED_FROM a", "MOVED_TO b");
        Files.createDirectory(dir.resolve("sub"));
        expectEverywhere(watchers, "CREATE,ISDIR sub");
        Files.setPosixFilePermissions(dir.resolve("b"), PosixFilePermissions.fromString("rw-r-----"));
        expectEverywhere(watchers, "ATTRIB b");
        Files.delete(dir.resolve("b"));
        Files.delete(dir.resolve("sub"));
        expectEverywhere(watchers, "DELETE b", "DELETE,ISDIR sub");
        for (String w : watchers) {
            assertEquals(1, count(awaitLog(w, "DELETE b"), "CREATE a"), w);
        }
    }

    private static void expectEverywhere(String[] watchers, String... lines) throws Exception {
        for (String w : watchers) {
            for (String line : lines) {
                awaitLog(w, line);
            }
        }
    }

    @Test
    void hostChangesReachAWatcherInTheSharedVm() throws Exception {
        Path dir = Files.createTempDirectory(base, "watched");
        watcher("near", "default", dir);
        hostChangesReachEveryWatcher(dir, "near");
        ok("rm", "-f", "near");
    }

    /**
     * Files the host has just made are readable in a container at once, while the VM's agent is still
     * replaying their creation: the 9P server hides a new name from the replay's own lookups (the
     * agent's uid) and from no one else. A batch of 300 files keeps the replay in flight for seconds
     * under TCG, so the container's read lands in it; the count of CREATE events the watcher had
     * heard by then is printed. Names nobody looked up still raise their events.
     */
    @Test
    void filesTheHostHasJustMadeAreReadableAtOnceWhileTheirCreationIsReplayed() throws Exception {
        Path dir = Files.createTempDirectory(base, "fresh");
        watcher("fresh", "default", dir);
        for (int i = 0; i < 300; i++) {
            Files.writeString(dir.resolve("f" + i), "content " + i + "\n");
        }
        DaemonProcess.Result read = docker("exec", "fresh", "/bin/busybox", "cat", "/d/f299", "/d/f0");
        long heard = docker("logs", "fresh").out().lines().filter(l -> l.startsWith("CREATE f")).count();
        System.out.printf("inotify: a container read 2 of 300 new host files while %d of their CREATE events were heard%n",
                heard);
        assertEquals(0, read.code(), read.out() + read.err() + "\ndaemon log:\n" + daemon.logTail());
        assertEquals("content 299\ncontent 0\n", read.out());
        awaitLog("fresh", "CREATE f150");
        ok("rm", "-f", "fresh");
    }

    /**
     * One dedicated VM and the shared VM watching one folder: the host's changes reach both; a change
     * made in either VM reaches the other, and reaches its own watcher once (no echo); and neither
     * replays the other's replays (no loop).
     */
    @Test
    void aDedicatedVmAndTheSharedVmHearTheHostAndEachOtherWithoutEchoOrLoop() throws Exception {
        Path dir = Files.createTempDirectory(base, "pair");
        watcher("left", "default", dir);
        watcher("right", "hyperv", dir);
        hostChangesReachEveryWatcher(dir, "left", "right");

        ok("exec", "right", "sh", "-c", "echo hello > /d/from-right && mv /d/from-right /d/renamed && mkdir /d/newdir");
        expectEverywhere(new String[] {"left"}, "CREATE from-right", "MOVED_FROM from-right", "MOVED_TO renamed",
                "CREATE,ISDIR newdir");
        ok("exec", "left", "sh", "-c", "echo mine > /d/from-left && rm /d/renamed");
        expectEverywhere(new String[] {"right"}, "CREATE from-left", "CLOSE_WRITE,CLOSE from-left", "DELETE renamed");

        // a loop or an echo would add events: give the host watch two more rounds, ended by markers
        for (String marker : List.of("m1", "m2")) {
            Files.writeString(dir.resolve(marker), "");
            expectEverywhere(new String[] {"left", "right"}, "CREATE " + marker);
        }
        for (String w : List.of("left", "right")) {
            String log = awaitLog(w, "CREATE m2");
            for (String once : List.of("CREATE from-left", "CLOSE_WRITE,CLOSE from-left", "CREATE from-right",
                    "CREATE,ISDIR newdir", "ATTRIB b", "DELETE renamed")) {
                assertEquals(1, count(log, once), w + " heard '" + once + "' other than once:\n" + log);
            }
        }
        assertEquals("mine\n", Files.readString(dir.resolve("from-left")));
        ok("rm", "-f", "left", "right");
    }

    @Test
    void theHostsFilesKeepTheirTimesAndModesThroughAReplay() throws Exception {
        Path dir = Files.createTempDirectory(base, "times");
        Path f = dir.resolve("f");
        Files.writeString(f, "data");
        watcher("keeper", "default", dir);
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        Files.setLastModifiedTime(f, old);
        awaitLog("keeper", "ATTRIB f");
        Files.writeString(dir.resolve("marker"), "");
        awaitLog("keeper", "CREATE marker");
        assertEquals(old, Files.getLastModifiedTime(f));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals("data", Files.readString(f));
        ok("rm", "-f", "keeper");
    }

    @Test
    void aBoundFileHearsTheHostWriteIt() throws Exception {
        Path dir = Files.createTempDirectory(base, "onefile");
        Files.writeString(dir.resolve("app.conf"), "a=1\n");
        ok("run", "-d", "--name", "conf", "-v", dir.resolve("app.conf") + ":/etc/app.conf", IMAGE, "inotifywait", "-m",
                "-e", "modify,close_write", "--format", "%e", "/etc/app.conf");
        awaitLog("conf", "Watches established.");
        Files.writeString(dir.resolve("app.conf"), "a=2\n");
        awaitLog("conf", "MODIFY");
        awaitLog("conf", "CLOSE_WRITE,CLOSE");
        assertEquals("a=2\n", ok("exec", "conf", "busybox", "cat", "/etc/app.conf").out());
        // the image has no cat of its own: as with Docker, the exec fails with 126 and says why
        DaemonProcess.Result missing = docker("exec", "conf", "cat", "/etc/app.conf");
        assertEquals(126, missing.code(), missing.toString());
        assertTrue((missing.out() + missing.err()).contains("OCI runtime exec failed"), missing.toString());
        ok("rm", "-f", "conf");
    }

    @Test
    void aWatchOnASubfolderOfTheMountHearsTheHost() throws Exception {
        Path dir = Files.createTempDirectory(base, "deep");
        Files.createDirectories(dir.resolve("src/main"));
        ok("run", "-d", "--name", "deep", "-v", dir + ":/d", IMAGE, "inotifywait", "-m", "-r", "-e", "create,close_write",
                "--format", "%w%f %e", "/d/src");
        awaitLog("deep", "Watches established.");
        Files.writeString(dir.resolve("src/main/App.java"), "class App {}");
        awaitLog("deep", "/d/src/main/App.java CREATE");
        awaitLog("deep", "/d/src/main/App.java CLOSE_WRITE,CLOSE");
        ok("rm", "-f", "deep");
    }
}
