package dev.skiff.cli.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.guest.selftest.SelftestProtocol;
import dev.skiff.image.GuestImage;
import dev.skiff.sys.Xattrs;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What a bind mount must do, checked under the Linux kernel's own client in a real guest, whatever
 * carries it: {@link NinePShareIT} (9P) and {@link VirtioFsShareIT} (virtio-fs) mount the same
 * export twice, at /mnt/a and /mnt/b, each over a session of its own as two VMs would, and a
 * read-only export at /mnt/ro; then every test here runs on that guest, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class FolderShareTests {
    static GuestSession guest;
    static Path export, roExport;

    /** The kernel function a process blocked in fcntl(F_SETLKW) on this transport's mount sleeps in. */
    abstract String blockedLockFunction();

    /** Makes the exports (the read-only one holds kept.txt) and boots the guest. */
    static GuestImage bootGuest(String name) throws Exception {
        GuestImage image = Images.selftestImage(System.out);
        Path tmp = Files.createTempDirectory("skiff-" + name);
        export = Files.createDirectories(tmp.resolve("export"));
        roExport = Files.createDirectories(tmp.resolve("ro"));
        Files.writeString(roExport.resolve("kept.txt"), "read only\n");
        guest = GuestSession.start(GuestSession.config(name, image, List.of()));
        guest.call("PING");
        return image;
    }

    @AfterAll
    static void shutDown() {
        if (guest != null) {
            guest.close();
        }
    }

    /** Runs a busybox shell command in the guest; returns exit status and output. */
    private static String[] sh(String script) throws IOException {
        String[] r = guest.call(SelftestProtocol.RUN, SelftestProtocol.encodeArgv("/bin/busybox", "sh", "-c", script))
                .split(" ", 2);
        String out = r.length > 1 ? new String(Base64.getDecoder().decode(r[1]), StandardCharsets.UTF_8) : "";
        return new String[] {r[0], out};
    }

    private static String ok(String script) throws IOException {
        String[] r = sh(script);
        assertEquals("0", r[0], "guest command failed: " + script + "\n" + r[1]);
        return r[1].strip();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    @Order(1)
    void filesWrittenInTheGuestAppearOnTheHostAndBack() throws IOException {
        ok("echo hello > /mnt/a/f1");
        assertEquals("hello\n", Files.readString(export.resolve("f1")));
        Files.writeString(export.resolve("host.txt"), "from host\n");
        assertEquals("from host", ok("cat /mnt/b/host.txt"));
        ok("echo more >> /mnt/a/f1");
        assertEquals("hello\nmore\n", Files.readString(export.resolve("f1")), "O_APPEND");
        ok("echo new > /mnt/a/f1");
        assertEquals("new\n", Files.readString(export.resolve("f1")), "O_TRUNC");
        String[] excl = sh("set -C; echo x > /mnt/a/f1");
        assertNotEquals("0", excl[0], "O_EXCL on an existing file must fail: " + excl[1]);
        ok("dd if=/dev/zero of=/mnt/a/direct bs=4096 count=4 oflag=direct 2>/dev/null");
        assertEquals(16384, Files.size(export.resolve("direct")), "O_DIRECT write");
    }

    @Test
    @Order(2)
    void directoriesLinksRenamesAndTrueLinkCounts() throws IOException {
        ok("mkdir -p /mnt/a/d/sub && echo x > /mnt/a/d/file && ln /mnt/a/d/file /mnt/a/d/hard"
                + " && ln -s file /mnt/a/d/soft && mv /mnt/a/d/sub /mnt/a/d/moved");
        assertEquals("2", ok("stat -c %h /mnt/a/d/file"), "nlink of a file with a hard link");
        assertEquals(2, Files.getAttribute(export.resolve("d/file"), "unix:nlink"));
        assertEquals("file", ok("readlink /mnt/a/d/soft"));
        assertEquals(Path.of("file"), Files.readSymbolicLink(export.resolve("d/soft")));
        assertTrue(Files.isDirectory(export.resolve("d/moved")));
        assertEquals("3", ok("stat -c %h /mnt/a/d"), "a directory's nlink: 2 plus its one subdirectory");
        ok("rm /mnt/a/d/hard && rmdir /mnt/a/d/moved");
        assertEquals("1", ok("stat -c %h /mnt/a/d/file"));
        assertTrue(Files.notExists(export.resolve("d/moved")));
        String[] notEmpty = sh("rmdir /mnt/a/d");
        assertTrue(notEmpty[1].contains("not empty"), "rmdir of a full directory: " + notEmpty[1]);
    }

    @Test
    @Order(3)
    void mknodMakesFifosAndDevices() throws IOException {
        ok("mknod /mnt/a/fifo p && mknod /mnt/a/null c 1 3 && mknod /mnt/a/blk b 7 0");
        assertEquals("fifo", ok("stat -c %F /mnt/a/fifo").replace("fifo (named pipe)", "fifo"));
        Map<String, Object> nul = Files.readAttributes(export.resolve("null"), "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        assertEquals(020000, (int) nul.get("mode") & 0170000, "a character device on the host");
        assertEquals((1L << 8) | 3, (long) nul.get("rdev"));
        assertEquals(060000, (int) Files.getAttribute(export.resolve("blk"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000);
        assertEquals("1,3", ok("stat -c %t,%T /mnt/a/null"));
    }

    @Test
    @Order(4)
    void everyOpenFlagBehavesAsOnALocalFileSystem() throws IOException {
        ok("echo data > /mnt/a/of && ln -sf of /mnt/a/of-link && mkdir -p /mnt/a/ofdir && mknod /mnt/a/offifo p");
        guest.call("FS", "OPEN", "/mnt/a/of", "WRONLY|SYNC", b64("SYNC"));
        guest.call("FS", "OPEN", "/mnt/a/of", "WRONLY|DSYNC|APPEND", b64("+dsync"));
        assertEquals("SYNC\n+dsync", Files.readString(export.resolve("of")),
                "an O_SYNC write over \"data\\n\", then an O_DSYNC|O_APPEND one, each with fsync or fdatasync");
        guest.call("FS", "OPEN", "/mnt/a/of", "RDONLY|NOATIME|CLOEXEC");
        guest.call("FS", "OPEN", "/mnt/a/ofdir", "RDONLY|DIRECTORY");
        assertErrno("ENOTDIR", "not a directory", () -> guest.call("FS", "OPEN", "/mnt/a/of", "RDONLY|DIRECTORY"));
        assertErrno("ELOOP", "symbolic links", () -> guest.call("FS", "OPEN", "/mnt/a/of-link", "RDONLY|NOFOLLOW"));
        assertErrno("EEXIST", "file exists", () -> guest.call("FS", "OPEN", "/mnt/a/of", "WRONLY|CREAT|EXCL"));
        guest.call("FS", "OPEN", "/mnt/a/offifo", "RDONLY|NONBLOCK"); // would block without O_NONBLOCK: no writer
        guest.call("FS", "OPEN", "/mnt/a/of", "WRONLY|TRUNC");
        assertEquals(0, Files.size(export.resolve("of")), "O_TRUNC");
        guest.call("FS", "MKSOCK", "/mnt/a/sock");
        assertEquals(0140000, (int) Files.getAttribute(export.resolve("sock"), "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0170000,
                "a unix socket file made in the guest is a socket on the host");
        ok("dd if=/dev/zero of=/mnt/a/synced bs=4096 count=2 conv=fsync 2>/dev/null && sync");
        assertEquals(8192, Files.size(export.resolve("synced")));
    }

    /**
     * O_DIRECT as InnoDB does it (issue 18): writes and reads larger than one 9P message, which the
     * client splits at the iounit; each piece reaches the host file O_DIRECT, so each must stay
     * block-aligned. 132 KiB failed with EINVAL when the iounit was 128 KiB + 4072.
     */
    @Test
    @Order(4)
    void directIoOfEverySizeADatabaseUsesAcrossMessageBoundaries() throws IOException {
        ok("dd if=/dev/urandom of=/mnt/a/seed bs=1M count=3 2>/dev/null");
        byte[] seed = Files.readAllBytes(export.resolve("seed"));
        for (String bs : new String[] {"4k", "16k", "128k", "132k", "256k", "1M", "3M"}) {
            String name = "direct-" + bs;
            ok("dd if=/mnt/a/seed of=/mnt/a/" + name + " bs=" + bs + " count=1 oflag=direct 2>&1 && "
                    + "dd if=/mnt/a/" + name + " of=/dev/null bs=" + bs + " iflag=direct 2>&1");
            byte[] written = Files.readAllBytes(export.resolve(name));
            assertEquals(size(bs), written.length, bs + " written O_DIRECT");
            assertEquals(java.util.Arrays.hashCode(java.util.Arrays.copyOf(seed, written.length)),
                    java.util.Arrays.hashCode(written), bs + ": the bytes on the host are the ones written");
        }
        // at an offset that is aligned but not a multiple of the message size, over two messages
        ok("dd if=/mnt/a/seed of=/mnt/a/direct-1M bs=132k seek=3 count=2 conv=notrunc oflag=direct 2>&1");
        byte[] patched = Files.readAllBytes(export.resolve("direct-1M"));
        int at = 3 * 132 * 1024;
        int length = 2 * 132 * 1024;
        assertEquals(1 << 20, patched.length);
        assertEquals(java.util.Arrays.hashCode(java.util.Arrays.copyOf(seed, length)),
                java.util.Arrays.hashCode(java.util.Arrays.copyOfRange(patched, at, at + length)));
    }

    private static int size(String bs) {
        int n = Integer.parseInt(bs.substring(0, bs.length() - 1));
        return bs.endsWith("M") ? n << 20 : n << 10;
    }

    private static void assertErrno(String name, String text, org.junit.jupiter.api.function.Executable call) {
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, call);
        assertTrue(e.getMessage().contains(text), name + " expected: " + e.getMessage());
    }

    @Test
    @Order(5)
    void setattrChangesModeOwnerTimesAndSize() throws IOException {
        ok("echo 0123456789 > /mnt/a/attrs && truncate -s 4 /mnt/a/attrs && chmod 640 /mnt/a/attrs"
                + " && chown 1234:2345 /mnt/a/attrs && touch -d '2001-02-03 04:05:06' /mnt/a/attrs");
        Path f = export.resolve("attrs");
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(1234, Files.getAttribute(f, "unix:uid"));
        assertEquals(2345, Files.getAttribute(f, "unix:gid"));
        assertEquals(4, Files.size(f));
        assertEquals(java.time.LocalDateTime.of(2001, 2, 3, 4, 5, 6).toEpochSecond(java.time.ZoneOffset.UTC),
                Files.getLastModifiedTime(f).toInstant().getEpochSecond());
        assertEquals("640 1234 2345 4", ok("stat -c '%a %u %g %s' /mnt/a/attrs"));
        ok("df /mnt/a");
    }

    @Test
    @Order(6)
    void extendedAttributesGetSetListRemove() throws IOException {
        ok("echo x > /mnt/a/xa");
        guest.call("FS", "XATTR_SET", "/mnt/a/xa", "user.skiff", b64("value 1"));
        assertEquals("value 1", new String(Xattrs.get(export.resolve("xa").toString(), "user.skiff", true)));
        Xattrs.set(export.resolve("xa").toString(), "user.fromhost", "h".getBytes(), 0, true);
        assertEquals(b64("h"), guest.call("FS", "XATTR_GET", "/mnt/b/xa", "user.fromhost"));
        assertTrue(List.of(guest.call("FS", "XATTR_LIST", "/mnt/a/xa").split(",")).containsAll(
                List.of("user.skiff", "user.fromhost")));
        guest.call("FS", "XATTR_REMOVE", "/mnt/a/xa", "user.skiff");
        IOException gone = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> guest.call("FS", "XATTR_GET", "/mnt/a/xa", "user.skiff"));
        assertTrue(gone.getMessage().contains("no data") || gone.getMessage().contains("errno 61"), gone.getMessage());
    }

    @Test
    @Order(7)
    void sharedMmapWritesReachTheHost() throws IOException {
        ok("echo hello world > /mnt/a/mm");
        guest.call("FS", "MMAP_WRITE", "/mnt/a/mm", "6", b64("WORLD"));
        assertEquals("hello WORLD\n", Files.readString(export.resolve("mm")));
    }

    @Test
    @Order(8)
    void locksConflictBetweenTwoMountsAndWithHostProcesses() throws IOException {
        ok("echo > /mnt/a/lk");
        assertEquals("locked", guest.call("FS", "LOCK", "l1", "/mnt/a/lk", "w", "0", "0"));
        assertEquals("busy", guest.call("FS", "TRYLOCK", "/mnt/b/lk", "w", "0", "0"), "second mount sees the lock");
        assertTrue(guest.call("FS", "GETLK", "/mnt/b/lk", "w", "0", "0").startsWith("w 0"), "F_GETLK names the holder's lock");
        assertEquals("busy", guest.call("FS", "TRYLOCK", "/mnt/b/lk", "r", "0", "0"));
        guest.call("FS", "UNLOCK", "l1");
        assertEquals("locked", guest.call("FS", "TRYLOCK", "/mnt/b/lk", "w", "0", "0"));
        assertEquals("locked", guest.call("FS", "LOCK", "l2", "/mnt/a/lk", "w", "0", "10"));
        assertEquals("locked", guest.call("FS", "TRYLOCK", "/mnt/b/lk", "w", "10", "10"), "byte ranges that do not overlap");
        guest.call("FS", "UNLOCK", "l2");

        try (FileChannel ch = FileChannel.open(export.resolve("lk"), StandardOpenOption.WRITE);
             FileLock hostLock = ch.lock()) {
            assertTrue(hostLock.isValid());
            assertEquals("busy", guest.call("FS", "TRYLOCK", "/mnt/a/lk", "w", "0", "0"), "a host process's lock holds");
        }
        assertEquals("locked", guest.call("FS", "TRYLOCK", "/mnt/a/lk", "w", "0", "0"));
    }

    /**
     * Whether a signal reaches the server for a request under way: 9P flushes it (Tflush); Linux
     * 6.1's virtio-fs client queues no FUSE_INTERRUPT (fs/fuse/virtio_fs.c leaves it a TODO), so a
     * process killed in fcntl(F_SETLKW) ends only when the server answers, once the lock is free.
     */
    abstract boolean interruptsBlockedLocks();

    @Test
    @Order(9)
    void aLockWaiterKilledWhileBlockedNeverLeavesTheLockHeld() throws Exception {
        ok("echo > /mnt/a/fl");
        try (FileChannel ch = FileChannel.open(export.resolve("fl"), StandardOpenOption.WRITE)) {
            FileLock hostLock = ch.lock();
            String pid = guest.call("JAVA", "lw", "dev.skiff.guest.tools.LockWait", "/mnt/a/fl");
            awaitWchan(pid, blockedLockFunction(), Duration.ofSeconds(120));
            guest.call("KILL", "lw");
            if (!interruptsBlockedLocks()) {
                hostLock.release(); // the server's answer is what lets the killed process end
            }
            String[] exit = guest.call("WAIT", "lw", "120").split(" ", 2);
            assertEquals("137", exit[0], "killed while waiting for the lock");
            String out = exit.length > 1 ? new String(Base64.getDecoder().decode(exit[1])) : "";
            assertTrue(out.contains("WAITING") && !out.contains("LOCKED"), out);
            if (hostLock.isValid()) {
                hostLock.release();
            }
        }
        // 9P: had the server not cancelled the flushed Tlock, it would now hold the lock for nobody.
        // virtio-fs: the lock granted to the dead process went with its file's release.
        assertEquals("locked", guest.call("FS", "TRYLOCK", "/mnt/b/fl", "w", "0", "0"));
        assertEquals("ok", ok("echo ok > /mnt/a/after && cat /mnt/a/after"), "the share still works");
    }

    @Test
    @Order(10)
    void readOnlyExportRefusesWritesInTheServer() throws IOException {
        assertEquals("read only", ok("cat /mnt/ro/kept.txt"));
        String[] touch = sh("touch /mnt/ro/new");
        assertNotEquals("0", touch[0]);
        assertTrue(touch[1].contains("Read-only file system"), touch[1]);
        String[] rm = sh("rm /mnt/ro/kept.txt");
        assertTrue(rm[1].contains("Read-only file system"), rm[1]);
        assertTrue(Files.exists(roExport.resolve("kept.txt")));
        assertTrue(Files.notExists(roExport.resolve("new")));
    }

    /** Waits (bounded) until the guest process sleeps in the given kernel function. */
    private static void awaitWchan(String pid, String function, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            String[] r = sh("cat /proc/" + pid + "/task/*/wchan 2>/dev/null | tr '\\0' '\\n'");
            last = r[1];
            if (last.contains(function)) {
                return;
            }
        }
        throw new AssertionError("process " + pid + " never waited in " + function + "; wchan: " + last);
    }
}
