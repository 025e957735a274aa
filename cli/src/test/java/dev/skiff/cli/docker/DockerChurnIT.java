package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.image.BusyboxRootfs;
import dev.skiff.image.ImageCache;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Resources follow containers (issue 19): a long-lived shared VM that has run many bind-mount
 * containers holds what it held after the first few. Before, each run left a 9P server, its
 * descriptors and its virtio-serial port behind, and the 119th container of a VM failed; a
 * virtio-fs share's device and its back-end in the share host must go as well. Likewise
 * a layer disk leaves the shared VM once its image is deleted and no container uses it.
 *
 * <p>{@value #DEFAULT_RUNS} runs in CI; {@code -Dskiff.churn.runs=1000} for the longer figure. The
 * runs have no network (its setup is not what this counts, and would double the time); every
 * {@value #SOCKET_EVERY}th also forwards the daemon's socket, a bind mount of another kind.
 */
class DockerChurnIT extends DaemonIT {
    /**
     * More than the slots of either transport (31 virtio-fs devices, 128 9P ports a VM), so a leak
     * of one per run fails; 300 before virtio-fs became the default, whose PCI plug and unplug make
     * a run 0.5 s longer under TCG and 300 runs about six minutes of CI's sixty.
     */
    private static final int DEFAULT_RUNS = 150;
    private static final int RUNS = Integer.getInteger("skiff.churn.runs", DEFAULT_RUNS);
    private static final int SOCKET_EVERY = 10;
    /** Descriptors that may come and go between two quiet moments (a log rotation, a CLI connection being closed). */
    private static final int SLACK = 6;
    /** Platform threads that may come and go (the JDK's own: a reference handler pass, a pool's spare). */
    private static final int THREAD_SLACK = 4;

    /** What each open descriptor of a process is (a file's path, "socket:[inode]", ...). */
    private static List<String> descriptors(long pid) throws IOException {
        try (var s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return s.map(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().replaceAll("\\[[0-9]+\\]", "");
                } catch (IOException e) {
                    return "(closed)";
                }
            }).sorted().toList();
        }
    }

    /** The kinds of descriptor that grew in number, with how many more. */
    private static java.util.Map<String, Long> grown(List<String> before, List<String> after) {
        var count = new java.util.TreeMap<String, Long>();
        after.forEach(d -> count.merge(d, 1L, Long::sum));
        before.forEach(d -> count.merge(d, -1L, Long::sum));
        count.values().removeIf(n -> n <= 0);
        return count;
    }

    /** The shared VM's record, as the QEMU driver keeps it for a later daemon. */
    private static Properties sharedVmRecord() throws IOException {
        return sharedVmRecord(base);
    }

    /** The record of the shared VM of the daemon in {@code base}. */
    static Properties sharedVmRecord(Path base) throws IOException {
        try (var dirs = Files.list(base.resolve("run/vm"))) {
            Path dir = dirs.filter(d -> d.getFileName().toString().startsWith("skiff-shared")).findFirst()
                    .orElseThrow(() -> new AssertionError("no shared VM is running"));
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(dir.resolve("vm.properties"))) {
                p.load(r);
            }
            return p;
        }
    }

    /** The bind-mount devices plugged into a VM: 9P's ports and virtio-fs devices alike. */
    private static List<String> hotpluggedShares(Properties record) {
        return record.stringPropertyNames().stream()
                .filter(k -> k.startsWith("hotplug.channel.") || k.startsWith("hotplug.filesystem."))
                .map(record::getProperty).sorted().toList();
    }

    /** The share host's descriptors (it serves virtio-fs shares), or none when it does not run. */
    private static List<String> shareHostDescriptors() throws Exception {
        long pid = daemon.shareHostPid();
        return pid > 0 && Files.isDirectory(Path.of("/proc/" + pid)) ? descriptors(pid) : List.of();
    }

    private static void runOne(Path dir, int i) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--rm", "--network", "none", "-v", dir + ":/d"));
        String check = "";
        if (i % SOCKET_EVERY == 0) {
            args.addAll(List.of("-v", "/var/run/docker.sock:/var/run/docker.sock"));
            check = " && test -S /var/run/docker.sock";
        }
        args.addAll(List.of("busybox", "sh", "-c", "echo " + i + " > /d/f" + i + check));
        ok(args.toArray(String[]::new));
    }

    /** A process's figure from /proc/PID/status ("Threads", "VmRSS" in kB). */
    private static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).strip().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + field + " in /proc/" + pid + "/status");
    }

    @Test
    void bindMountContainersGiveBackTheirPortsServersAndDescriptors() throws Exception {
        Path dir = Files.createDirectories(base.resolve("churn"));
        for (int i = 0; i < 2; i++) {
            runOne(dir, i); // boots the shared VM and warms the daemon up
        }
        assertEquals(List.of(), hotpluggedShares(sharedVmRecord()), "no bind-mount port outlives its container");
        long qemu = Long.parseLong(sharedVmRecord().getProperty("qemu.pid"));
        List<String> daemonBefore = descriptors(daemon.pid());
        List<String> qemuBefore = descriptors(qemu);
        List<String> hostBefore = shareHostDescriptors();
        long threadsBefore = status(daemon.pid(), "Threads"), rssBefore = status(daemon.pid(), "VmRSS");
        long qemuRssBefore = status(qemu, "VmRSS");

        long start = System.nanoTime();
        for (int i = 2; i < 2 + RUNS; i++) {
            runOne(dir, i);
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        for (int i = 0; i < 2 + RUNS; i++) {
            assertEquals(i + "\n", Files.readString(dir.resolve("f" + i)), "each run wrote through its bind mount");
        }
        assertEquals(List.of(), hotpluggedShares(sharedVmRecord()));
        List<String> daemonAfter = descriptors(daemon.pid());
        List<String> qemuAfter = descriptors(qemu);
        List<String> hostAfter = shareHostDescriptors();
        long threadsAfter = status(daemon.pid(), "Threads");
        // the figures the closing note asks for, in the test's output
        System.out.printf("churn: %d bind-mount runs in %d s; daemon descriptors %d -> %d, threads %d -> %d,"
                        + " RSS %d -> %d MiB; QEMU descriptors %d -> %d, RSS %d -> %d MiB; share host descriptors %d -> %d%n",
                RUNS, seconds,
                daemonBefore.size(), daemonAfter.size(), threadsBefore, threadsAfter, rssBefore / 1024,
                status(daemon.pid(), "VmRSS") / 1024, qemuBefore.size(), qemuAfter.size(), qemuRssBefore / 1024,
                status(qemu, "VmRSS") / 1024, hostBefore.size(), hostAfter.size());
        assertTrue(daemonAfter.size() <= daemonBefore.size() + SLACK, "the daemon held " + daemonBefore.size()
                + " descriptors, and " + daemonAfter.size() + " after " + RUNS + " more runs; grown: "
                + grown(daemonBefore, daemonAfter));
        assertTrue(hostAfter.size() <= hostBefore.size() + SLACK, "the virtio-fs share host held " + hostBefore.size()
                + " descriptors, and " + hostAfter.size() + " after " + RUNS + " more runs; grown: " + grown(hostBefore, hostAfter));
        assertTrue(qemuAfter.size() <= qemuBefore.size() + SLACK, "QEMU held " + qemuBefore.size() + " descriptors, and "
                + qemuAfter.size() + " after " + RUNS + " more runs; grown: " + grown(qemuBefore, qemuAfter));
        assertTrue(threadsAfter <= threadsBefore + THREAD_SLACK, "the daemon had " + threadsBefore
                + " threads, and " + threadsAfter + " after " + RUNS + " more runs");
        runOne(dir, 2 + RUNS); // and the next one still works
        assertEquals((2 + RUNS) + "\n", Files.readString(dir.resolve("f" + (2 + RUNS))));

        // a dedicated VM's bind mounts end with it: no descriptor of the daemon's is left on the folder
        for (int i = 0; i < 2; i++) {
            ok("run", "--rm", "--isolation=hyperv", "-v", dir + ":/d", "busybox", "sh", "-c", "echo h > /d/h" + i);
            assertEquals("h\n", Files.readString(dir.resolve("h" + i)));
        }
        assertEquals(List.of(), descriptors(daemon.pid()).stream().filter(d -> d.equals(dir.toString())).toList(),
                "descriptors left on the bind-mounted folder");
        long deadline = System.nanoTime() + DaemonProcess.AWAIT.toNanos(); // the VM's stop releases its shares after the run
        while (shareHostDescriptors().contains(dir.toString()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(List.of(), shareHostDescriptors().stream().filter(d -> d.equals(dir.toString())).toList(),
                "the share host's descriptors left on the bind-mounted folder");
    }

    /** The images of the shared VM's hot-plugged disks, from its record. */
    static List<String> hotpluggedDiskImages(Properties record) {
        return record.stringPropertyNames().stream().filter(k -> k.startsWith("hotplug.disk.") && k.endsWith(".image"))
                .map(record::getProperty).sorted().toList();
    }

    /**
     * An image of one layer of its own: busybox-static's binary (from Skiff's package cache: a fresh
     * host has no busybox of its own) and a file saying {@code what}.
     */
    private static Path oneLayerImage(String what) throws Exception {
        Path work = Files.createTempDirectory(base, "b-image");
        Path busybox = BusyboxRootfs.busyboxBinary(ImageCache.root(), s -> { });
        ProcessBuilder pb = new ProcessBuilder("bash", "-ec", """
                mkdir -p root/bin
                cp "$BUSYBOX" root/bin/busybox
                ln -s busybox root/bin/sh
                ln -s busybox root/bin/cat
                ln -s busybox root/bin/sleep
                echo %s > root/b.txt
                tar -C root --owner=0 --group=0 --mtime=@0 --sort=name -cf image.tar .
                """.formatted(what)).directory(work.toFile()).redirectErrorStream(true);
        pb.environment().put("BUSYBOX", busybox.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
        return work.resolve("image.tar");
    }

    @Test
    void aDeletedImagesLayerLeavesTheSharedVmAndComesBackWithTheImage() throws Exception {
        final String b = "skiff-test/churn-b";
        ok("run", "-d", "--name", "keeper", "busybox", "sleep", "600"); // another image's container, running
        Path tar = oneLayerImage("from-b");
        ok("import", tar.toString(), b);
        String hex = ok("image", "inspect", "--format", "{{index .RootFS.Layers 0}}", b).out().strip()
                .substring("sha256:".length());
        assertEquals("from-b\n", ok("run", "--name", "b1", b, "cat", "/b.txt").out());
        ok("rm", "b1");
        List<String> bDisks = hotpluggedDiskImages(sharedVmRecord()).stream()
                .filter(i -> i.endsWith(hex + ".erofs")).toList();
        assertEquals(1, bDisks.size(), "B's layer is plugged once: " + hotpluggedDiskImages(sharedVmRecord()));
        String bDisk = bDisks.getFirst();
        int disksBefore = hotpluggedDiskImages(sharedVmRecord()).size();
        long qemu = Long.parseLong(sharedVmRecord().getProperty("qemu.pid"));
        assertTrue(descriptors(qemu).stream().anyMatch(d -> d.startsWith(bDisk)), "QEMU holds B's layer open");

        ok("rmi", b);

        assertEquals(List.of(), hotpluggedDiskImages(sharedVmRecord()).stream().filter(i -> i.equals(bDisk)).toList(),
                "the record no longer lists B's layer disk");
        assertEquals(disksBefore - 1, hotpluggedDiskImages(sharedVmRecord()).size(), "and only B's went: the layers "
                + "of busybox, which still exists, stay plugged for its next container");
        assertEquals(List.of(), descriptors(qemu).stream().filter(d -> d.startsWith(bDisk)).toList(),
                "QEMU no longer holds B's layer file open");
        assertEquals("ok\n", ok("exec", "keeper", "echo", "ok").out(), "the other image's container still runs");
        assertEquals("hi\n", ok("run", "--rm", "busybox", "echo", "hi").out());

        ok("import", tar.toString(), b); // the same layer again: its disk is made, and plugged, again
        assertEquals("from-b\n", ok("run", "--rm", b, "cat", "/b.txt").out());
        assertEquals(1, hotpluggedDiskImages(sharedVmRecord()).stream().filter(i -> i.equals(bDisk)).count(),
                "B's layer is plugged again, in a freed place: " + hotpluggedDiskImages(sharedVmRecord()));
        assertEquals(qemu, Long.parseLong(sharedVmRecord().getProperty("qemu.pid")), "all in the one shared VM");
        ok("rm", "-f", "keeper");
    }

    /** The host file of an image's (first) layer disk, as the store names it. */
    private static String layerDiskName(String image) throws Exception {
        return ok("image", "inspect", "--format", "{{index .RootFS.Layers 0}}", image).out().strip()
                .substring("sha256:".length()) + ".erofs";
    }

    /** The shared VM's disks of the layer whose disk file is named so. */
    private static List<String> pluggedDisks(String diskName) throws Exception {
        return hotpluggedDiskImages(sharedVmRecord()).stream().filter(i -> i.endsWith("/" + diskName)).toList();
    }

    @Test
    void aDaemonRestartedUnderTheSharedVmStillUnplugsTheLayersOfDeletedImages() throws Exception {
        final String c = "skiff-test/churn-c";
        final String d = "skiff-test/churn-d";
        ok("import", oneLayerImage("from-c").toString(), c);
        ok("import", oneLayerImage("from-d").toString(), d);
        String cDisk = layerDiskName(c);
        String dDisk = layerDiskName(d);
        ok("run", "-d", "--name", "c-run", c, "sleep", "600");
        assertEquals("from-d\n", ok("run", "--rm", d, "cat", "/b.txt").out());
        assertEquals(1, pluggedDisks(cDisk).size());
        assertEquals(1, pluggedDisks(dDisk).size());
        String dPath = pluggedDisks(dDisk).getFirst();
        long qemu = Long.parseLong(sharedVmRecord().getProperty("qemu.pid"));

        daemon.kill();
        daemon.start(); // the shared VM lives on; the new daemon knows its disks from the record

        ok("rmi", d);
        assertEquals(List.of(), pluggedDisks(dDisk), "the earlier daemon's disk of D went with D");
        assertEquals(List.of(), descriptors(qemu).stream().filter(x -> x.startsWith(dPath)).toList(),
                "QEMU no longer holds D's layer file open");
        assertEquals("from-c\n", ok("exec", "c-run", "cat", "/b.txt").out(), "C's container still reads its layer");

        ok("rm", "-f", "c-run"); // the rebuilt count lets C's layer go, but C still exists:
        assertEquals(1, pluggedDisks(cDisk).size(), "C's layer stays plugged, a cache for C's next container");
        ok("rmi", c);
        assertEquals(List.of(), pluggedDisks(cDisk), "and goes with C");
        assertEquals(qemu, Long.parseLong(sharedVmRecord().getProperty("qemu.pid")), "all in the one shared VM");
    }
}
