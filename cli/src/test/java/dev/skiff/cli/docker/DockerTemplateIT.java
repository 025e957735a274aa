package dev.skiff.cli.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.image.ImageCache;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VM templates (issue 20, points 3 and 4): once a template of the utility VM exists (the daemon
 * makes one in the background, or another daemon of this host made it), a dedicated container's VM
 * starts from it instead of booting, and is still a VM of its own: a boot id no other VM had, its
 * own random numbers (the kernel reseeded on the new VM generation ID: its log says so), and the
 * host's time rather than the template's.
 */
class DockerTemplateIT {
    private static DaemonProcess daemon;
    private static Path base;

    @BeforeAll
    static void startDaemon() throws Exception {
        base = Files.createTempDirectory(Path.of("/tmp"), "st");
        daemon = new DaemonProcess(base);
        daemon.start();
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        DockerIT.removeAllAndStop(daemon, base);
    }

    /** Waits for a finished template in the host's cache: this daemon's background build, or another's. */
    private static void awaitTemplate() throws Exception {
        Path dir = ImageCache.root().resolve("templates");
        long deadline = System.nanoTime() + java.time.Duration.ofMinutes(10).toNanos();
        while (true) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.anyMatch(t -> Files.isRegularFile(t.resolve("state")))) {
                        return;
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no VM template after 10 min in " + dir + ": " + daemon.logTail());
            }
            Thread.sleep(500); // the build has no API event; the finished folder appearing is its end
        }
    }

    @Test
    void dedicatedVmsStartFromTheTemplateEachFreshAndOnTime() throws Exception {
        awaitTemplate();
        List<String> bootIds = new ArrayList<>();
        List<String> randoms = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            long before = System.currentTimeMillis() / 1000;
            String out = daemon.ok("run", "--rm", "--isolation=hyperv", "--privileged", "busybox", "sh", "-c",
                    "cat /proc/sys/kernel/random/boot_id; head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n'; echo; "
                            + "date +%s; dmesg | grep -c 'reseeded due to virtual machine fork'").out();
            long after = System.currentTimeMillis() / 1000;
            String[] lines = out.split("\n");
            assertEquals(4, lines.length, out);
            bootIds.add(lines[0]);
            randoms.add(lines[1]);
            long guest = Long.parseLong(lines[2]);
            assertTrue(guest >= before - 2 && guest <= after + 2,
                    "the guest's clock is the host's, not the template's: " + guest + " not in " + before + ".." + after);
            assertTrue(Integer.parseInt(lines[3]) >= 1, "the kernel reseeded its random generator: " + out);
        }
        assertNotEquals(bootIds.get(0), bootIds.get(1), "each VM draws its own boot id");
        assertNotEquals(randoms.get(0), randoms.get(1), "each VM has random numbers of its own");
        String log = Files.readString(base.resolve("daemon.log"));
        Matcher started = Pattern.compile("VM skiff-[0-9a-f]+ started from template [0-9a-f]+ in [0-9]+ ms").matcher(log);
        int n = 0;
        while (started.find()) {
            n++;
        }
        assertEquals(2, n, "both dedicated VMs started from the template: " + daemon.logTail());
    }
}
