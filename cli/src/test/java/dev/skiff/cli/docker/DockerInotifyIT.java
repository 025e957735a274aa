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
    private static final String IMAGE = "skiff-test/inotify";
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    @BeforeAll
    static void image() throws Exception {
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
        ok("import", work.resolve("image.tar").toString(), IMAGE);
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

    private void hostChangesReachTheWatcher(String isolation) throws Exception {
        Path dir = Files.createTempDirectory(base, "watched");
        String w = "watch-" + isolation;
        watcher(w, isolation, dir);
        long t0 = System.nanoTime();
        Files.writeString(dir.resolve("a"), "first");
        awaitLog(w, "CREATE a");
        long created = System.nanoTime() - t0;
        awaitLog(w, "CLOSE_WRITE,CLOSE a");
        Files.writeString(dir.resolve("a"), " more", java.nio.file.StandardOpenOption.APPEND);
        awaitLog(w, "MODIFY a");
        Files.move(dir.resolve("a"), dir.resolve("b"));
        awaitLog(w, "MOVED_FROM a");
        awaitLog(w, "MOVED_TO b");
        Files.createDirectory(dir.resolve("sub"));
        awaitLog(w, "CREATE,ISDIR sub");
        // an attribute change is replayed without setting the host file's mode or times again
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(dir.resolve("b"), old);
        Files.setPosixFilePermissions(dir.resolve("b"), PosixFilePermissions.fromString("rw-r-----"));
        awaitLog(w, "ATTRIB b");
        Files.delete(dir.resolve("b"));
        String log = awaitLog(w, "DELETE b");
        Files.delete(dir.resolve("sub"));
        log = awaitLog(w, "DELETE,ISDIR sub");
        assertEquals(1, count(log, "CREATE a"), log);
        System.out.printf("inotify (%s): host create seen in the container after %d ms%n", isolation,
                TimeUnit.NANOSECONDS.toMillis(created));
        ok("rm", "-f", w);
    }

    @Test
    void hostChangesReachAWatcherInTheSharedVm() throws Exception {
        hostChangesReachTheWatcher("default");
    }

    @Test
    void hostChangesReachAWatcherInADedicatedVm() throws Exception {
        hostChangesReachTheWatcher("hyperv");
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
    void aContainerInAnotherVmIsHeardAndAVmsOwnChangesAreNotEchoed() throws Exception {
        Path dir = Files.createTempDirectory(base, "cross");
        watcher("listener", "default", dir);
        ok("run", "--rm", "--isolation=hyperv", "-v", dir + ":/d", IMAGE, "sh", "-c",
                "echo hello > /d/from-vm && mv /d/from-vm /d/renamed && mkdir /d/newdir");
        awaitLog("listener", "CREATE from-vm");
        awaitLog("listener", "MOVED_TO renamed");
        awaitLog("listener", "CREATE,ISDIR newdir");
        // the watcher's own mount: the guest's VFS raises the event, the host watch must not add one
        ok("exec", "listener", "sh", "-c", "echo mine > /d/own");
        awaitLog("listener", "CREATE own");
        Files.writeString(dir.resolve("marker"), ""); // replays run in order: once this is seen, any echo would be too
        String log = awaitLog("listener", "CREATE marker");
        assertEquals(1, count(log, "CREATE own"), log);
        assertEquals(1, count(log, "CLOSE_WRITE,CLOSE own"), log);
        assertEquals("mine\n", Files.readString(dir.resolve("own")));
        ok("rm", "-f", "listener");
    }

    @Test
    void twoVmsWatchingOneFolderDoNotReplayEachOthersReplays() throws Exception {
        Path dir = Files.createTempDirectory(base, "pair");
        watcher("left", "default", dir);
        watcher("right", "hyperv", dir);
        Files.writeString(dir.resolve("once"), "1");
        Files.setPosixFilePermissions(dir.resolve("once"), PosixFilePermissions.fromString("rw-rw----"));
        awaitLog("left", "ATTRIB once");
        awaitLog("right", "ATTRIB once");
        // a loop would keep both busy: give it two more rounds of the host watch, ended by markers
        for (String marker : List.of("m1", "m2")) {
            Files.writeString(dir.resolve(marker), "");
            awaitLog("left", "CREATE " + marker);
            awaitLog("right", "CREATE " + marker);
        }
        for (String w : List.of("left", "right")) {
            String log = awaitLog(w, "CREATE m2");
            assertEquals(1, count(log, "CLOSE_WRITE,CLOSE once"), w + ":\n" + log);
            assertEquals(1, count(log, "ATTRIB once"), w + ":\n" + log);
            ok("rm", "-f", w);
        }
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

    @Test
    void aDedicatedVmHearsTheSharedVm() throws Exception {
        Path dir = Files.createTempDirectory(base, "reverse");
        watcher("far", "hyperv", dir);
        ok("run", "--rm", "-v", dir + ":/d", IMAGE, "sh", "-c", "echo x > /d/near && rm /d/near");
        String log = awaitLog("far", "DELETE near");
        assertTrue(log.lines().anyMatch(l -> l.equals("CREATE near")), log);
        ok("rm", "-f", "far");
    }
}
