package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Bind mounts over each transport (issue 20) through the docker CLI, with a daemon whose
 * daemon.json names it ({@code "file-sharing"}: {@link DockerVirtioFsIT}, the default, and
 * {@link DockerNinePIT}): in the shared VM and in a dedicated one, a container reads the host's
 * file and writes one the host reads, its mount is the kernel's client of that transport, docker
 * inspect names the transport, a read-only bind refuses writes, and each run's share is released
 * with it (no descriptor on the folder, no mapping of guest memory left in the daemon or its share
 * host). A daemon killed with SIGKILL and started again finds its running containers' mounts still
 * served (virtio-fs: the back-ends live on in the share host; 9P: the guest's relay takes a new
 * server up): a file opened before the kill written through, new files both ways, and host
 * changes heard by the container's inotify watch. The file-system semantics themselves are
 * {@code selftest.FolderShareTests}, run on both transports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BindTransportTests {
    private DaemonProcess daemon;
    private Path base;

    /** The transport's name in daemon.json, /proc/mounts and docker inspect: "virtiofs" or "9p". */
    abstract String transport();

    @BeforeAll
    void startDaemon() throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), "sv");
        Files.writeString(base.resolve("daemon.json"), "{\"file-sharing\": \"" + transport() + "\"}\n");
        daemon = new DaemonProcess(base);
        daemon.start();
    }

    @AfterAll
    void stopDaemon() throws Exception {
        DockerIT.removeAllAndStop(daemon, base);
    }

    /**
     * What the daemon and its share host still hold of a share once no container uses it:
     * descriptors on the folder, and mappings of a VM's guest RAM (a virtio-fs back-end maps it
     * while its session lives). Waits for them to go (a removed container's shares are released
     * as it ends), up to 2 min.
     */
    private String heldAfterUse(Path dir) throws Exception {
        long deadline = System.nanoTime() + DaemonProcess.AWAIT.toNanos();
        while (true) {
            StringBuilder held = new StringBuilder();
            for (long pid : List.of(daemon.pid(), daemon.shareHostPid())) {
                if (pid > 0 && Files.isDirectory(Path.of("/proc/" + pid))) {
                    held.append(heldBy(pid, dir));
                }
            }
            if (held.isEmpty() || System.nanoTime() > deadline) {
                return held.toString();
            }
            Thread.sleep(200); // a release has no event on the API; the processes' own /proc is the state
        }
    }

    private static String heldBy(long pid, Path dir) throws Exception {
        StringBuilder held = new StringBuilder();
        try {
            try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                for (Path fd : fds.toList()) {
                    try {
                        if (Files.readSymbolicLink(fd).startsWith(dir)) {
                            held.append("descriptor on ").append(Files.readSymbolicLink(fd)).append('\n');
                        }
                    } catch (java.io.IOException gone) {
                        // closed while listed
                    }
                }
            }
            Files.readAllLines(Path.of("/proc/" + pid + "/maps")).stream()
                    .filter(l -> l.contains("memory-backend-memfd")).forEach(l -> held.append(pid).append(": ").append(l).append('\n'));
        } catch (java.nio.file.NoSuchFileException exited) {
            // the share host exited (idle) while it was looked at: it holds nothing
        }
        return held.toString();
    }

    /**
     * In the shared VM; a dedicated VM's mounts are checked by {@link #mountsOutliveAKilledDaemon}
     * (the transport in /proc/mounts, the release with the container), which boots one anyway.
     */
    @Test
    void bindMountsAreServedOverTheTransportAndReleasedWithTheirContainer() throws Exception {
        String isolation = "default";
        Path dir = Files.createDirectories(base.resolve("share-" + isolation));
        Files.writeString(dir.resolve("host.txt"), "from the host\n");
        String script = "cat /d/host.txt; echo from the container > /d/out.txt; grep ' /d ' /proc/mounts | cut -d' ' -f3;"
                + " echo x > /r/no 2>/dev/null && echo WRITABLE; exit 0";
        // the first run boots the VM and loads the guest's virtiofs client
        String first = daemon.ok("run", "--rm", "--isolation", isolation, "-v", dir + ":/d", "-v", dir + ":/r:ro",
                "busybox", "sh", "-c", script).out();
        assertEquals("from the host\n" + transport() + "\n", first, "read the host's file over " + transport()
                + "; the :ro bind refused");
        assertEquals("from the container\n", Files.readString(dir.resolve("out.txt")));
        // one more run after the first: its share must be released too (in hyperv, with its VM)
        assertEquals(first, daemon.ok("run", "--rm", "--isolation", isolation, "-v", dir + ":/d", "-v", dir + ":/r:ro",
                "busybox", "sh", "-c", script).out());
        assertEquals("", heldAfterUse(dir), "each run's servers, roots and guest-memory mappings went with it");
        assertTrue(Files.readString(base.resolve("daemon.log")).contains("over " + transport()),
                "the daemon log names the transport");

        daemon.ok("run", "-d", "--name", "bt-" + isolation, "--isolation", isolation, "-v", dir + ":/d", "busybox",
                "sleep", "600");
        JsonNode mounts = new ObjectMapper().readTree(daemon.ok("inspect", "--format", "{{json .Mounts}}",
                "bt-" + isolation).out());
        assertEquals(transport(), mounts.get(0).path("Driver").asText(), mounts.toString());
        daemon.ok("rm", "-f", "bt-" + isolation);
    }

    @Test
    void mountsOutliveAKilledDaemon() throws Exception {
        Path shared = Files.createDirectories(base.resolve("survivor-shared"));
        Path dedicated = Files.createDirectories(base.resolve("survivor-dedicated"));
        // The file stays open in the container across the kill, and inotifywait watches the mount.
        DockerInotifyIT.importImage(daemon, base);
        String holder = "inotifywait -m -e create --format 'created %f' /d & exec 3>>/d/held; echo before >&3; echo wrote before;"
                + " while true; do if [ -e /d/go ]; then echo after >&3; echo said after; rm /d/go; fi;"
                + " [ -e /d/stop ] && exit 0; sleep 0.2; done";
        daemon.ok("run", "-d", "--name", "survivor", "-v", shared + ":/d", DockerInotifyIT.IMAGE, "sh", "-c", holder);
        daemon.ok("run", "-d", "--name", "survivor2", "--isolation=hyperv", "-v", dedicated + ":/d",
                DockerInotifyIT.IMAGE, "sh", "-c", holder);
        // Killed only once each write has returned in its container (its log says so, over the agent, not the
        // mount): a write whose reply the kill cut off is sent again to the new daemon, and an append would then
        // be made twice (a limit of 9P's live restore; see the README's "Bind mounts").
        for (String name : List.of("survivor", "survivor2")) {
            daemon.awaitLogs(name, "wrote before");
        }
        for (Path dir : List.of(shared, dedicated)) {
            daemon.awaitContent(dir.resolve("held"), "before\n");
        }
        long host = daemon.shareHostPid();
        assertEquals(transport().equals("virtiofs"), host > 0, "the daemon started its share host for virtio-fs alone");

        daemon.kill();
        if (host > 0) {
            assertTrue(ProcessHandle.of(host).map(ProcessHandle::isAlive).orElse(false), "the share host outlives the daemon");
        }
        daemon.start();

        assertEquals(host, daemon.shareHostPid(), "the new daemon uses the same share host");
        for (String name : List.of("survivor", "survivor2")) {
            Path dir = name.equals("survivor") ? shared : dedicated;
            Files.writeString(dir.resolve("from-host"), "host " + name);
            // the new daemon watches the folder again: the host's new file reaches the container's inotify watch.
            // Awaited before the container reads the file: a lookup racing the agent's replay of the creation
            // either makes the replay find the name there (no event) or, in the moment between the replay's
            // lookup and its mknod, finds the name absent (see the README's "inotify"); right after a restart
            // both wait for the share to be taken up again and are released together.
            daemon.awaitLogs(name, "created from-host");
            assertEquals("host " + name, daemon.ok("exec", name, "busybox", "cat", "/d/from-host").out());
            daemon.ok("exec", name, "sh", "-c", "echo container > /d/from-container");
            assertEquals("container\n", Files.readString(dir.resolve("from-container")), "written after the restart");
            Files.writeString(dir.resolve("go"), "");
            daemon.awaitContent(dir.resolve("held"), "before\nafter\n"); // through the file opened before the kill
            daemon.awaitLogs(name, "said after");
            assertEquals(transport() + "\n", daemon.ok("exec", name, "sh", "-c", "grep ' /d ' /proc/mounts | cut -d' ' -f3").out());
        }
        daemon.ok("rm", "-f", "survivor", "survivor2");
        assertEquals("", heldAfterUse(shared) + heldAfterUse(dedicated), "released by the new daemon");
    }
}
