package dev.skiff.cli.selftest;

import dev.skiff.image.GuestImage;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmExit;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * {@code skiff vm selftest}: boots the guest image and checks, in order, a round trip on a
 * boot-time channel, a round trip on a hot-plugged channel, a file read from a hot-plugged
 * read-only disk, and a clean shutdown through the ACPI power button. Prints each step's time.
 */
public final class Selftest {
    private Selftest() {}

    public static final String BOOT_CHANNEL = "selftest.boot", HOT_CHANNEL = "selftest.hot", DISK_SERIAL = "selftest-disk";
    static final int ECHO_BYTES = 256 * 1024;
    static final Duration STEP_TIMEOUT = GuestSession.CALL_TIMEOUT;

    public static boolean run(PrintStream out) throws IOException {
        GuestImage image = Images.selftestImage(out);
        Path work = Files.createTempDirectory("skiff-selftest");
        Path disk = work.resolve("disk.erofs");
        String content = "skiff selftest " + UUID.randomUUID() + "\n";
        TestDisk.create(disk, content);
        long t0 = System.nanoTime();
        try (GuestSession s = GuestSession.start(GuestSession.config("selftest", image, List.of(BOOT_CHANNEL)))) {
            Vm vm = s.vm();
            step(out, "QEMU started, QMP ready", t0);
            String[] pong = s.call("PING").split(" ");
            step(out, "guest ready (boot id " + pong[0] + ", guest uptime " + pong[1] + " s)", t0);

            long t = System.nanoTime();
            s.call("ECHO", BOOT_CHANNEL);
            long rtt = RoundTrip.check(vm.channel(BOOT_CHANNEL), ECHO_BYTES, STEP_TIMEOUT);
            step(out, String.format("boot-time channel: %d KiB echoed intact (%.1f MB/s)", ECHO_BYTES / 1024,
                    ECHO_BYTES / (rtt / 1e9) / 1e6), t);

            t = System.nanoTime();
            vm.hotplugChannel(HOT_CHANNEL);
            s.call("ECHO", HOT_CHANNEL);
            RoundTrip.check(vm.channel(HOT_CHANNEL), ECHO_BYTES, STEP_TIMEOUT);
            step(out, "hot-plugged channel: " + ECHO_BYTES / 1024 + " KiB echoed intact", t);

            t = System.nanoTime();
            vm.hotplugDisk(new DiskSpec(disk, DISK_SERIAL, true));
            String device = s.call("MOUNT", DISK_SERIAL, "erofs", "/mnt/selftest");
            String[] sum = s.call("SHA256", "/mnt/selftest/" + TestDisk.FILE).split(" ");
            String expected = sha256(content);
            if (!sum[0].equals(expected)) {
                throw new IOException("file read from the hot-plugged disk differs: guest sha256 " + sum[0]
                        + ", host " + expected);
            }
            step(out, "hot-plugged read-only disk " + device + ": " + TestDisk.FILE + " read back intact", t);

            t = System.nanoTime();
            VmExit exit = vm.stop(Duration.ofSeconds(60));
            if (exit.reason() != VmExit.Reason.STOPPED || !exit.detail().isEmpty()) {
                throw new IOException("VM did not shut down cleanly: " + exit);
            }
            step(out, "clean shutdown (guest powered off on the ACPI power button)", t);
            out.printf("selftest passed in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            return true;
        } catch (IOException e) {
            out.println("FAIL " + e.getMessage());
            return false;
        } finally {
            Files.deleteIfExists(disk);
            Files.deleteIfExists(work);
        }
    }

    private static void step(PrintStream out, String what, long since) {
        out.printf("ok  %-80s %7.0f ms%n", what, (System.nanoTime() - since) / 1e6);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
