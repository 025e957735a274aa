package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.image.BusyboxRootfs;
import dev.skiff.image.ImageCache;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real docker CLI (version 28, as installed) against a real `skiff daemon`, which runs every
 * container in real QEMU guests (TCG here) through the agent, with bind mounts over Skiff's 9P
 * server. One daemon for the class, in order; the last test kills and restarts it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerIT {
    private static DaemonProcess daemon;
    private static Path base;

    @BeforeAll
    static void startDaemon() throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), "sd"); // short: VM socket paths live below it
        daemon = new DaemonProcess(base);
        daemon.start();
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        removeAllAndStop(daemon, base);
    }

    /** Removes every container, stops the daemon, then the VMs it left (they outlive it by design). */
    static void removeAllAndStop(DaemonProcess daemon, Path base) throws Exception {
        if (daemon == null) {
            return;
        }
        for (String id : daemon.docker(List.of("ps", "-aq"), null).out().split("\\s+")) {
            if (!id.isBlank()) {
                daemon.docker(List.of("rm", "-f", id), null);
            }
        }
        daemon.stop();
        long shareHost = daemon.shareHostPid(); // it would exit once idle; not after the test's end
        if (shareHost > 0) {
            ProcessHandle.of(shareHost).ifPresent(DockerIT::killAndReap);
        }
        Path vms = base.resolve("run/vm");
        if (Files.isDirectory(vms)) {
            try (var dirs = Files.list(vms)) {
                for (Path d : dirs.toList()) {
                    Path record = d.resolve("vm.properties");
                    if (Files.exists(record)) {
                        var props = new java.util.Properties();
                        try (var in = Files.newInputStream(record)) {
                            props.load(in);
                        }
                        String pid = props.getProperty("qemu.pid");
                        if (pid != null) {
                            ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(DockerIT::killAndReap);
                        }
                    }
                }
            }
        }
        // The daemon's folders (images, layer disks, logs) go with the test: failures quote the log's tail.
        try (var all = Files.walk(base)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void killAndReap(ProcessHandle p) {
        p.destroyForcibly();
        try {
            p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // not gone in time: its folder is deleted under it, which Linux allows
        }
    }

    private static DaemonProcess.Result docker(String... args) throws Exception {
        return daemon.docker(List.of(args), null);
    }

    private static DaemonProcess.Result ok(String... args) throws Exception {
        DaemonProcess.Result r = docker(args);
        assertEquals(0, r.code(), "docker " + String.join(" ", args) + " failed: " + r.err() + "\ndaemon log:\n" + daemon.logTail());
        return r;
    }

    @Test
    @Order(1)
    void runEchoHi() throws Exception {
        assertEquals("hi\n", ok("run", "--rm", "busybox", "echo", "hi").out());
    }

    @Test
    @Order(2)
    void exitCodesPropagate() throws Exception {
        assertEquals(42, docker("run", "--rm", "busybox", "sh", "-c", "exit 42").code());
        assertEquals(0, docker("run", "--rm", "busybox", "true").code());
    }

    @Test
    @Order(3)
    void stdinPipesThroughCat() throws Exception {
        DaemonProcess.Result r = daemon.docker(List.of("run", "-i", "--rm", "busybox", "cat"),
                "data\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(0, r.code(), r.err());
        assertEquals("data\n", r.out());
    }

    @Test
    @Order(4)
    void bindMountIsWrittenInsideAndReadOnlyIsRefused() throws Exception {
        Path dir = Files.createDirectories(base.resolve("bind"));
        Files.writeString(dir.resolve("host.txt"), "from host\n");
        assertEquals("from host\n", ok("run", "--rm", "-v", dir + ":/work", "busybox", "sh", "-c",
                "cat /work/host.txt; echo from container > /work/out.txt").out());
        assertEquals("from container\n", Files.readString(dir.resolve("out.txt")));
        DaemonProcess.Result ro = docker("run", "--rm", "-v", dir + ":/work:ro", "busybox", "sh", "-c", "echo x > /work/ro.txt");
        assertNotEquals(0, ro.code());
        assertTrue(ro.err().contains("Read-only file system"), ro.err());
        assertFalse(Files.exists(dir.resolve("ro.txt")));
        Path created = base.resolve("made-by-v");
        ok("run", "--rm", "-v", created + ":/made", "busybox", "true");
        assertTrue(Files.isDirectory(created), "-v creates a missing host directory, as Docker does");
    }

    @Test
    @Order(5)
    void dedicatedAndSharedRunAtTheSameTimeInDifferentVms() throws Exception {
        ok("run", "-d", "--name", "shared1", "busybox", "sleep", "1000");
        String sharedBoot = ok("exec", "shared1", "cat", "/proc/sys/kernel/random/boot_id").out().trim();
        String dedicatedBoot = ok("run", "--rm", "--isolation=hyperv", "busybox", "sh", "-c",
                "cat /proc/sys/kernel/random/boot_id").out().trim();
        assertEquals(36, sharedBoot.length(), sharedBoot);
        assertEquals(36, dedicatedBoot.length(), dedicatedBoot);
        assertNotEquals(sharedBoot, dedicatedBoot, "a dedicated container has a kernel of its own");
        assertTrue(ok("ps").out().contains("shared1"), "the shared container ran all along");
        String info = ok("info").out();
        assertTrue(info.contains("skiff-shared"), info);
        ok("rm", "-f", "shared1");
    }

    @Test
    @Order(6)
    void execLogsFollowAndPsAll() throws Exception {
        ok("run", "-d", "--name", "talker", "busybox", "sh", "-c", "echo one; sleep 3; echo two");
        assertEquals("hello from exec\n", ok("exec", "talker", "echo", "hello from exec").out());
        assertEquals("[]", ok("inspect", "-f", "{{.ExecIDs}}", "talker").out().trim(),
                "an ended exec leaves the container's ExecIDs, as in moby");
        assertEquals("one\ntwo\n", ok("logs", "-f", "talker").out(), "logs -f follows until the container exits");
        String ps = ok("ps", "-a", "--format", "{{.Names}} {{.Status}}").out();
        assertTrue(ps.contains("talker Exited (0)"), ps);
        ok("rm", "talker");
        assertFalse(ok("ps", "-a").out().contains("talker"));
    }

    @Test
    @Order(7)
    void stopKillsAProcessThatIgnoresSigterm() throws Exception {
        ok("run", "-d", "--name", "stubborn", "busybox", "sh", "-c", "trap '' TERM; while true; do sleep 1; done");
        ok("stop", "-t", "2", "stubborn");
        assertEquals("137", ok("inspect", "-f", "{{.State.ExitCode}}", "stubborn").out().trim());
        ok("rm", "stubborn");
    }

    @Test
    @Order(8)
    void rmForceRemovesARunningContainer() throws Exception {
        ok("run", "-d", "--name", "doomed", "busybox", "sleep", "1000");
        ok("rm", "-f", "doomed");
        assertFalse(ok("ps", "-a").out().contains("doomed"));
    }

    @Test
    @Order(9)
    void loadsADockerSaveArchive() throws Exception {
        Path archive = base.resolve("saved.tar");
        writeDockerSave(archive, "skiff-test/loaded:1", "loaded image works\n");
        DaemonProcess.Result r = ok("load", "-i", archive.toString());
        assertTrue(r.out().contains("skiff-test/loaded:1"), r.out());
        assertEquals("loaded image works\n", ok("run", "--rm", "skiff-test/loaded:1").out());
        ok("tag", "skiff-test/loaded:1", "skiff-test/renamed:2");
        assertEquals("loaded image works\n", ok("run", "--rm", "skiff-test/renamed:2").out());
        String images = ok("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").out();
        assertTrue(images.contains("skiff-test/loaded:1") && images.contains("skiff-test/renamed:2"), images);
        assertTrue(ok("rmi", "skiff-test/loaded:1").out().contains("Untagged: skiff-test/loaded:1"));
        assertTrue(ok("rmi", "skiff-test/renamed:2").out().contains("Deleted: sha256:"));
    }

    /**
     * Layers are disks hot-plugged into the VM, one per layer: an image of more layers than a PCI
     * bus has slots (32, with a few taken) must run, in the shared VM and in a dedicated one.
     */
    @Test
    @Order(10)
    void anImageOfFortyLayersRunsInBothModes() throws Exception {
        // keeps the shared VM (and its disks) through the dedicated run, longer than its idle stop
        ok("run", "-d", "--name", "forty-keeper", "busybox", "sleep", "600");
        Path archive = base.resolve("layers.tar");
        writeDockerSave(archive, "skiff-test/layers:40", "forty\n", 39);
        ok("load", "-i", archive.toString());
        assertEquals("40\n", ok("image", "inspect", "--format", "{{len .RootFS.Layers}}", "skiff-test/layers:40").out());
        String expected = "forty\n39 00 38\n";
        String script = "cat /hello.txt; echo $(ls /layers | wc -l) $(cat /layers/00) $(cat /layers/38)";
        assertEquals(expected, ok("run", "--rm", "skiff-test/layers:40", "sh", "-c", script).out(), "shared VM");
        assertEquals(expected, ok("run", "--rm", "--isolation=hyperv", "skiff-test/layers:40", "sh", "-c", script).out(),
                "dedicated VM");
        assertEquals("after\n", ok("run", "--rm", "busybox", "echo", "after").out(),
                "the shared VM still runs other images");
        // Issue 19: the image's layers leave the shared VM with it, from PCI slots and SCSI targets
        // alike (but a layer busybox shares), and the image loaded again gets them plugged again.
        List<String> busybox = layerDiskNames("busybox");
        List<String> mine = layerDiskNames("skiff-test/layers:40").stream().filter(n -> !busybox.contains(n)).toList();
        assertTrue(mine.size() >= 39, mine.toString());
        assertEquals(mine.size(), pluggedOf(mine).size(), "each of its layers is plugged into the shared VM once");
        long qemu = Long.parseLong(DockerChurnIT.sharedVmRecord(base).getProperty("qemu.pid"));
        ok("rmi", "skiff-test/layers:40");
        assertEquals(List.of(), pluggedOf(mine), "its layer disks went with it");
        assertEquals("after\n", ok("run", "--rm", "busybox", "echo", "after").out());
        ok("load", "-i", archive.toString());
        assertEquals(expected, ok("run", "--rm", "skiff-test/layers:40", "sh", "-c", script).out(),
                "loaded again, in freed places");
        assertEquals(mine.size(), pluggedOf(mine).size());
        assertEquals(qemu, Long.parseLong(DockerChurnIT.sharedVmRecord(base).getProperty("qemu.pid")), "one shared VM");
        ok("rmi", "skiff-test/layers:40");
        ok("rm", "-f", "forty-keeper");
    }

    /** The host file names of an image's layer disks, as the store names them. */
    private static List<String> layerDiskNames(String image) throws Exception {
        String layers = ok("image", "inspect", "--format", "{{range .RootFS.Layers}}{{println .}}{{end}}", image).out();
        return layers.lines().filter(l -> !l.isBlank()).map(l -> l.strip().substring("sha256:".length()) + ".erofs")
                .toList();
    }

    /** The shared VM's hot-plugged disks whose file has one of these names. */
    private static List<String> pluggedOf(List<String> diskNames) throws Exception {
        return DockerChurnIT.hotpluggedDiskImages(DockerChurnIT.sharedVmRecord(base)).stream()
                .filter(i -> diskNames.contains(i.substring(i.lastIndexOf('/') + 1))).toList();
    }

    @Test
    @Order(11)
    void clearErrorsForAMissingImageAndAMissingMountSource() throws Exception {
        // a registry name under .invalid: the pull the CLI asks for must fail without any traffic leaving the host
        DaemonProcess.Result noImage = docker("run", "--rm", "no-such-registry.invalid/no-such-image", "true");
        assertNotEquals(0, noImage.code());
        assertTrue(noImage.err().contains("Unable to find image 'no-such-registry.invalid/no-such-image:latest'"),
                noImage.err());
        assertTrue(noImage.err().contains("no-such-registry.invalid"), noImage.err());
        DaemonProcess.Result noSource = docker("run", "--rm", "--mount", "type=bind,source=/nonexistent/skiff,target=/x",
                "busybox", "true");
        assertEquals(125, noSource.code());
        assertTrue(noSource.err().contains("bind source path does not exist: /nonexistent/skiff"), noSource.err());
    }

    /**
     * docker run's runtime flags reach the container: each was once accepted and silently dropped.
     * Read from inside, where a user would look: the mount table, /proc/self/status, the cgroup files.
     */
    @Test
    @Order(11)
    void runtimeFlagsTakeEffectInsideTheContainer() throws Exception {
        String script = "touch /rootfile 2>/dev/null && echo root rw || echo root ro; echo x > /t/f && echo tmpfs rw;"
                + " grep -E ' /(t|m|dev/shm) ' /proc/mounts | cut -d' ' -f2,4; grep CapEff /proc/self/status;"
                + " echo nofile $(ulimit -n); echo forward $(cat /proc/sys/net/ipv4/ip_forward);"
                + " echo pid1 $(tr '\\0' ' ' < /proc/1/cmdline);"
                + " echo memory $(cat /sys/fs/cgroup/memory.max); echo cpu $(cat /sys/fs/cgroup/cpu.max);"
                + " echo pids $(cat /sys/fs/cgroup/pids.max)";
        String out = ok("run", "--rm", "--read-only", "--tmpfs", "/t:size=1m", "--mount",
                "type=tmpfs,dst=/m,tmpfs-size=2097152", "--shm-size", "128m", "--cap-add", "NET_ADMIN", "--cap-drop",
                "CHOWN", "--ulimit", "nofile=1024:2048", "--sysctl", "net.ipv4.ip_forward=1", "--init", "-m", "64m",
                "--cpus", "0.5", "--pids-limit", "50", "busybox", "sh", "-c", script).out();
        assertTrue(out.contains("root ro\ntmpfs rw\n"), out);
        assertTrue(out.contains("/t rw,nosuid,nodev,noexec,relatime,size=1024k"), out);
        assertTrue(out.contains("/m rw,nosuid,nodev,noexec,relatime,size=2048k"), out);
        assertTrue(out.contains("/dev/shm rw,nosuid,nodev,noexec,relatime,size=131072k"), out);
        // Docker's default set (00000000a80425fb) less CAP_CHOWN (bit 0) plus CAP_NET_ADMIN (bit 12)
        assertTrue(out.contains("CapEff:\t00000000a80435fa"), out);
        assertTrue(out.contains("nofile 1024\n"), out);
        assertTrue(out.contains("forward 1\n"), out);
        assertTrue(out.contains("pid1 /sbin/docker-init -- sh -c"), out);
        assertTrue(out.contains("memory 67108864\ncpu 50000 100000\npids 50\n"), out);

        String privileged = ok("run", "--rm", "--privileged", "busybox", "sh", "-c",
                "grep CapEff /proc/self/status; grep ' /sys ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1").out();
        assertEquals("CapEff:\t000001ffffffffff\nrw\n", privileged, "every capability of Linux 6.1, /sys writable");

        String shared = ok("run", "--rm", "--pid", "host", "--uts", "host", "--group-add", "27", "--security-opt",
                "no-new-privileges", "--oom-score-adj", "300", "busybox", "sh", "-c",
                "id -G; grep NoNewPrivs /proc/self/status; cat /proc/self/oom_score_adj; cat /proc/1/comm").out();
        List<String> lines = shared.lines().toList();
        assertTrue(List.of(lines.getFirst().split(" ")).contains("27"), shared);
        assertEquals(List.of("NoNewPrivs:\t1", "300", "java"), lines.subList(1, lines.size()),
                "no_new_privs, the OOM score, and the VM's pid namespace (its init is the agent)");

        String env = ok("run", "--rm", "--hostname", "envhost", "busybox", "env").out();
        assertTrue(env.contains("HOSTNAME=envhost\n") && env.contains("HOME=/root\n"), "as dockerd and runc set them: " + env);
        // users by name, from the image's /etc/passwd and /etc/group (USER jenkins, -u postgres:staff)
        assertEquals("65534 65534\n", ok("run", "--rm", "-u", "nobody", "busybox", "sh", "-c", "echo $(id -u) $(id -g)").out());
        assertEquals("65534 0\n", ok("run", "--rm", "-u", "nobody:root", "busybox", "sh", "-c", "echo $(id -u) $(id -g)").out());
        // a uid alone takes its passwd entry's group, and group 0 when the image has no entry (runc's rule)
        assertEquals("65534 65534\n", ok("run", "--rm", "-u", "65534", "busybox", "sh", "-c", "echo $(id -u) $(id -g)").out());
        assertEquals("4242 0\n", ok("run", "--rm", "-u", "4242", "busybox", "sh", "-c", "echo $(id -u) $(id -g)").out());
        DaemonProcess.Result ghost = docker("run", "--rm", "-u", "ghost", "busybox", "true");
        assertEquals(125, ghost.code());
        assertTrue(ghost.err().contains("unable to find user ghost: no matching entries in passwd file"), ghost.err());

        ok("create", "--name", "flags", "--read-only", "--cap-add", "sys_time", "busybox", "true");
        assertEquals("true [CAP_SYS_TIME] 67108864\n", ok("inspect", "-f",
                "{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapAdd}} {{.HostConfig.ShmSize}}", "flags").out());
        ok("rm", "flags");
        DaemonProcess.Result bad = docker("run", "--rm", "--cap-add", "FLY", "busybox", "true");
        assertEquals(125, bad.code());
        assertTrue(bad.err().contains("unknown capability: \"CAP_FLY\""), bad.err());
    }

    @Test
    @Order(12)
    void containersAndTheirBindMountsOutliveAKilledDaemon() throws Exception {
        Path shared = Files.createDirectories(base.resolve("survivor-shared"));
        Path dedicated = Files.createDirectories(base.resolve("survivor-dedicated"));
        // The file stays open in the container across the kill: what it writes after the restart
        // goes through a 9P fid the old daemon's server opened and the new one must open again.
        String holder = "exec 3>>/d/held; echo before >&3; echo wrote before; while true; do if [ -e /d/go ]; then echo after >&3;"
                + " echo said after; rm /d/go; fi; [ -e /d/stop ] && echo bye && exit 0; sleep 0.2; done";
        // each also has the daemon's socket, with the host's docker CLI to use it (see DockerSocketIT)
        String cli = DockerSocketIT.cliFolder() + ":/hostbin:ro";
        String sock = "/var/run/docker.sock:/var/run/docker.sock";
        ok("run", "-d", "--name", "survivor", "-v", shared + ":/d", "-v", sock, "-v", cli, "busybox", "sh", "-c", holder);
        ok("run", "-d", "--name", "survivor2", "--isolation=hyperv", "-v", dedicated + ":/d", "-v", sock, "-v", cli,
                "busybox", "sh", "-c", holder);
        ok("run", "-d", "-i", "--name", "listener", "busybox", "sh", "-c", "read line; echo got $line");
        for (String name : List.of("survivor", "survivor2")) {
            daemon.awaitLogs(name, "wrote before"); // the write returned: no reply of it is cut off by the kill
        }
        for (Path dir : List.of(shared, dedicated)) {
            daemon.awaitContent(dir.resolve("held"), "before\n");
        }

        daemon.kill();
        daemon.start();

        String ps = ok("ps", "--format", "{{.Names}} {{.State}}").out();
        assertTrue(ps.contains("survivor running") && ps.contains("survivor2 running"), ps);
        for (String name : List.of("survivor", "survivor2")) {
            Path dir = name.equals("survivor") ? shared : dedicated;
            assertEquals("still here\n", ok("exec", name, "echo", "still here").out());
            // the forwarded docker.sock reaches the new daemon: same relay port and token as before the kill
            DaemonProcess.Result inside = docker("exec", "-e", "DOCKER_CONFIG=/tmp", name, "/hostbin/docker", "ps",
                    "--format", "{{.Names}}");
            assertEquals(0, inside.code(), inside + "\ndaemon log:\n" + daemon.logTail());
            assertTrue(inside.out().lines().anyMatch(name::equals), inside.out());
            Files.writeString(dir.resolve("from-host"), "host " + name);
            // read after the restart, at once: the host's new file is not hidden while the VM replays its creation
            assertEquals("host " + name, ok("exec", name, "cat", "/d/from-host").out());
            ok("exec", name, "sh", "-c", "echo container > /d/from-container");
            assertEquals("container\n", Files.readString(dir.resolve("from-container")), "written after the restart");
            Files.writeString(dir.resolve("go"), "");
            daemon.awaitContent(dir.resolve("held"), "before\nafter\n");
            daemon.awaitLogs(name, "said after");
        }
        // logs -f follows output made after the restart, and ends when the container does
        java.util.concurrent.CompletableFuture<DaemonProcess.Result> follow = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> {
                    try {
                        return docker("logs", "-f", "survivor");
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
        assertFalse(follow.isDone(), "the container runs until it sees /d/stop");
        Files.writeString(shared.resolve("stop"), "");
        DaemonProcess.Result followed = follow.get(3, java.util.concurrent.TimeUnit.MINUTES);
        assertEquals(0, followed.code(), followed.err());
        assertTrue(followed.out().endsWith("said after\nbye\n"), followed.out());
        // attach: the container's stdin is taken up again by the new daemon
        DaemonProcess.Result attached = daemon.docker(List.of("attach", "listener"), "hello\n".getBytes(StandardCharsets.UTF_8));
        assertEquals("got hello\n", attached.out(), attached.err() + "\ndaemon log:\n" + daemon.logTail());
        ok("stop", "-t", "1", "survivor2");
        String all = ok("ps", "-a", "--format", "{{.Names}} {{.State}}").out();
        assertTrue(all.contains("survivor exited") && all.contains("survivor2 exited") && all.contains("listener exited"), all);
    }

    /** A docker-save archive: busybox's rootfs plus one file, and a Cmd that prints it. */
    static void writeDockerSave(Path archive, String tag, String content) throws Exception {
        writeDockerSave(archive, tag, content, 0);
    }

    /**
     * As {@link #writeDockerSave(Path, String, String)}, with {@code extraLayers} more layers on top:
     * layer N holds the file /layers/NN (N in two digits, from 00), whose content is NN.
     */
    static void writeDockerSave(Path archive, String tag, String content, int extraLayers) throws Exception {
        ByteArrayOutputStream layer = new ByteArrayOutputStream();
        Path busybox = BusyboxRootfs.busyboxBinary(ImageCache.root(), s -> { });
        ByteArrayOutputStream base = new ByteArrayOutputStream();
        BusyboxRootfs.writeTar(busybox, base);
        layer.write(base.toByteArray(), 0, base.size() - 1024); // drop the end-of-archive blocks
        try (TarArchiveOutputStream extra = new TarArchiveOutputStream(layer)) {
            putFile(extra, "hello.txt", content);
        }
        List<byte[]> layers = new java.util.ArrayList<>(List.of(layer.toByteArray()));
        for (int n = 0; n < extraLayers; n++) {
            ByteArrayOutputStream more = new ByteArrayOutputStream();
            try (TarArchiveOutputStream out = new TarArchiveOutputStream(more)) {
                TarArchiveEntry dir = new TarArchiveEntry("layers/");
                dir.setMode(040755);
                out.putArchiveEntry(dir);
                out.closeArchiveEntry();
                putFile(out, "layers/%02d".formatted(n), "%02d".formatted(n));
            }
            layers.add(more.toByteArray());
        }
        java.util.Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        List<String> diffIds = new java.util.ArrayList<>();
        List<String> layerNames = new java.util.ArrayList<>();
        for (byte[] l : layers) {
            diffIds.add("\"sha256:" + sha256(l) + "\"");
            layerNames.add("\"" + sha256(l) + "/layer.tar\"");
            entries.put(sha256(l) + "/layer.tar", l);
        }
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2026-01-01T00:00:00Z\","
                + "\"config\":{\"Env\":[\"PATH=/usr/sbin:/usr/bin:/sbin:/bin\"],\"Cmd\":[\"cat\",\"/hello.txt\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + String.join(",", diffIds) + "]}}";
        byte[] configBytes = config.getBytes(StandardCharsets.UTF_8);
        String configName = sha256(configBytes) + ".json";
        entries.put(configName, configBytes);
        entries.put("manifest.json", ("[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + tag + "\"],\"Layers\":["
                + String.join(",", layerNames) + "]}]").getBytes(StandardCharsets.UTF_8));
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(Files.newOutputStream(archive))) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var entry : entries.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry(entry.getKey());
                e.setSize(entry.getValue().length);
                out.putArchiveEntry(e);
                out.write(entry.getValue());
                out.closeArchiveEntry();
            }
        }
    }

    private static void putFile(TarArchiveOutputStream out, String name, String content) throws Exception {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setSize(data.length);
        e.setMode(0644);
        out.putArchiveEntry(e);
        out.write(data);
        out.closeArchiveEntry();
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
