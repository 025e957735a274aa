package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Volumes through the real docker CLI against a real `skiff daemon`: named volumes shared by a
 * container in the shared VM and one in a dedicated VM at the same time, a new volume filled from
 * the image, anonymous volumes (made, removed with rm -v and --rm, pruned), --volumes-from, and
 * the errors for a volume in use and a bad name.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerVolumeIT extends DaemonIT {



    private static List<String> volumes() throws Exception {
        return Arrays.stream(ok("volume", "ls", "-q").out().split("\\s+")).filter(s -> !s.isBlank()).toList();
    }

    @Test
    @Order(1)
    void aNamedVolumeIsOneFileSystemForTheSharedAndADedicatedVmAtOnce() throws Exception {
        assertEquals("data\n", ok("volume", "create", "--label", "app=test", "data").out());
        assertTrue(volumes().contains("data"));
        String mountpoint = ok("volume", "inspect", "-f", "{{.Mountpoint}}", "data").out().trim();
        assertEquals(base.resolve("data/volumes/data/_data").toString(), mountpoint);
        ok("run", "-d", "--name", "holder", "-v", "data:/d", "busybox", "sleep", "600");
        ok("run", "--rm", "--isolation=hyperv", "-v", "data:/d", "busybox", "sh", "-c", "echo from-hyperv > /d/f");
        assertEquals("from-hyperv\n", ok("exec", "holder", "cat", "/d/f").out(), "the shared VM sees it at once");
        ok("exec", "holder", "sh", "-c", "echo from-shared >> /d/f");
        assertEquals("from-hyperv\nfrom-shared\n", Files.readString(Path.of(mountpoint, "f")), "and so does the host");
        String mounts = ok("inspect", "-f", "{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}}{{end}}", "holder")
                .out();
        assertEquals("volume data /d\n", mounts);
        DaemonProcess.Result busy = docker("volume", "rm", "data");
        assertNotEquals(0, busy.code());
        assertTrue(busy.err().contains("volume is in use"), busy.err());
        ok("rm", "-f", "holder");
        ok("volume", "rm", "data");
        assertFalse(volumes().contains("data"));
        assertFalse(Files.exists(Path.of(mountpoint)));
    }

    @Test
    @Order(2)
    void aNewVolumeIsFilledFromTheImageAndKeepsItsFiles() throws Exception {
        String image = ok("run", "--rm", "busybox", "ls", "/etc").out();
        assertFalse(image.isBlank());
        assertEquals(image, ok("run", "--rm", "-v", "etc-copy:/etc", "busybox", "ls", "/etc").out());
        ok("run", "--rm", "-v", "etc-copy:/etc", "busybox", "sh", "-c", "echo mine > /etc/added");
        assertEquals("mine\n", ok("run", "--rm", "-v", "etc-copy:/x", "busybox", "cat", "/x/added").out(),
                "a volume with content is not filled again");
        // (/etc also holds the hosts, hostname and resolv.conf the engine mounts on top, as Docker does)
        String probe = "test -e /etc/nsswitch.conf && echo copied || echo empty";
        assertEquals("copied\n", ok("run", "--rm", "-v", "etc-copy:/etc", "busybox", "sh", "-c", probe).out());
        assertEquals("empty\n", ok("run", "--rm", "-v", "empty-one:/etc:nocopy", "busybox", "sh", "-c", probe).out());
        ok("volume", "rm", "etc-copy", "empty-one");
    }

    @Test
    @Order(3)
    void anonymousVolumesComeAndGoWithTheirContainer() throws Exception {
        List<String> before = volumes();
        ok("create", "--name", "anon", "-v", "/scratch", "busybox", "true");
        List<String> during = volumes();
        assertEquals(before.size() + 1, during.size());
        String anon = during.stream().filter(v -> !before.contains(v)).findFirst().orElseThrow();
        assertTrue(anon.matches("[0-9a-f]{64}"), anon);
        ok("create", "--name", "borrower", "--volumes-from", "anon", "busybox", "true");
        assertTrue(ok("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", "borrower").out().contains(anon));
        ok("rm", "borrower");
        ok("rm", "-v", "anon");
        assertEquals(before, volumes(), "docker rm -v takes the anonymous volume along");
        ok("run", "--rm", "-v", "/scratch", "busybox", "true");
        assertEquals(before, volumes(), "so does docker run --rm");
        ok("create", "--name", "left", "-v", "/scratch", "busybox", "true");
        ok("rm", "left");
        ok("volume", "create", "keepme");
        String pruned = ok("volume", "prune", "-f").out();
        assertTrue(pruned.contains("Deleted Volumes"), pruned);
        assertTrue(volumes().contains("keepme"), "prune takes only anonymous volumes unless --all");
        ok("volume", "prune", "-af");
        assertFalse(volumes().contains("keepme"));
    }

    @Test
    @Order(4)
    void badNamesAndMissingVolumesSaySo() throws Exception {
        DaemonProcess.Result bad = docker("volume", "create", "a@b");
        assertNotEquals(0, bad.code());
        assertTrue(bad.err().contains("includes invalid characters for a local volume name"), bad.err());
        DaemonProcess.Result missing = docker("volume", "inspect", "nosuch");
        assertNotEquals(0, missing.code());
        assertTrue(missing.err().contains("no such volume"), missing.err());
    }
}
