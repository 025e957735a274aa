package dev.skiff.cli.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.image.GuestImage;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.RunDirs;
import dev.skiff.vm.Vm;
import dev.skiff.vm.VmException;
import dev.skiff.vm.VmExit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The utility VM with real QEMU (TCG here) and the real guest image. Every wait is on an event:
 * a reply on the control channel, echoed bytes, the QEMU process's exit.
 */
class VmIT {
    private static GuestImage image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void buildImage() throws IOException {
        image = Images.selftestImage(System.out);
    }

    /**
     * The run folders of VMs named {@code vmName} (each is NAME-RANDOM): only this test's own, since
     * other test classes may boot VMs under the same base at the same time (the VM phase runs two).
     */
    private static long runFolders(String vmName) throws IOException {
        Path vms = RunDirs.base().resolve("vm");
        if (!Files.isDirectory(vms)) {
            return 0;
        }
        try (var s = Files.list(vms)) {
            return s.filter(d -> d.getFileName().toString().startsWith(vmName + "-")).count();
        }
    }

    @Test
    void bootsPassesBytesBothWaysHotplugsAndShutsDownCleanly() throws Exception {
        Path disk = tmp.resolve("disk.erofs");
        String content = "known content " + System.nanoTime() + "\n";
        TestDisk.create(disk, content);
        try (GuestSession s = GuestSession.start(GuestSession.config("it-boot", image, List.of("it.boot")))) {
            Vm vm = s.vm();
            assertEquals(2, s.call("PING").split(" ").length);
            // The image's class archive was taken: a JVM that cannot use it says so with "[cds]" and
            // runs on, seconds slower to boot under emulation (jars that differ from those it was
            // dumped with, say).
            String console = Files.readString(vm.consoleLog());
            assertFalse(console.contains("[cds]") || console.contains("[aot]"), "the JVM refused its archive: " + console);

            s.call("ECHO", "it.boot");
            RoundTrip.check(vm.channel("it.boot"), 300_000, GuestSession.CALL_TIMEOUT);

            vm.hotplugChannel("it.hot");
            s.call("ECHO", "it.hot");
            RoundTrip.check(vm.channel("it.hot"), 300_000, GuestSession.CALL_TIMEOUT);
            VmException dup = assertThrows(VmException.class, () -> vm.hotplugChannel("it.hot"));
            assertTrue(dup.getMessage().contains("already has a channel"), dup.getMessage());

            // unplugged (QEMU's DEVICE_DELETED is the event), gone from the record, and its place taken by another
            vm.unplugChannel("it.hot");
            assertFalse(vm.hotpluggedChannels().contains("it.hot"), vm.hotpluggedChannels().toString());
            assertThrows(VmException.class, () -> vm.channel("it.hot"));
            VmException twice = assertThrows(VmException.class, () -> vm.unplugChannel("it.hot"));
            assertTrue(twice.getMessage().contains("no hot-plugged channel"), twice.getMessage());
            vm.hotplugChannel("it.hot2");
            s.call("ECHO", "it.hot2");
            RoundTrip.check(vm.channel("it.hot2"), 300_000, GuestSession.CALL_TIMEOUT);

            vm.hotplugDisk(new DiskSpec(disk, "it-disk", true));
            assertTrue(s.call("MOUNT", "it-disk", "erofs", "/mnt/it").startsWith("/dev/vd"));
            assertEquals(Selftest.sha256(content) + " " + content.length(), s.call("SHA256", "/mnt/it/" + TestDisk.FILE));
            IOException missing = assertThrows(IOException.class, () -> s.call("SHA256", "/mnt/it/absent"));
            assertTrue(missing.getMessage().startsWith("guest failed SHA256"), missing.getMessage());

            long pid = vm.pid();
            VmExit exit = vm.stop(Duration.ofSeconds(120));
            assertEquals(VmExit.Reason.STOPPED, exit.reason());
            assertEquals("", exit.detail(), "the guest itself powered off on the ACPI power button");
            assertEquals(0, exit.exitCode());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "QEMU is gone");
            VmException after = assertThrows(VmException.class, () -> vm.hotplugChannel("late"));
            assertTrue(after.getMessage().contains("has exited"), after.getMessage());
        }
    }

    @Test
    void guestPowerOffIsReportedAsSuch() throws Exception {
        try (GuestSession s = GuestSession.start(GuestSession.config("it-off", image, List.of()))) {
            s.call("PING");
            s.call("POWEROFF");
            VmExit exit = s.vm().exit().get(120, TimeUnit.SECONDS);
            assertEquals(VmExit.Reason.GUEST_POWEROFF, exit.reason());
            assertTrue(exit.clean());
        }
    }

    @Test
    void killingQemuUnderTheDriverIsReportedAndCleanedUp() throws Exception {
        long before = runFolders("it-kill");
        try (GuestSession s = GuestSession.start(GuestSession.config("it-kill", image, List.of("it.data")))) {
            s.call("PING");
            assertEquals(before + 1, runFolders("it-kill"));
            ProcessHandle qemu = ProcessHandle.of(s.vm().pid()).orElseThrow();
            assertTrue(qemu.destroyForcibly(), "sent SIGKILL to QEMU");

            VmExit exit = s.vm().exit().get(60, TimeUnit.SECONDS);
            assertEquals(VmExit.Reason.DIED, exit.reason());
            assertEquals(137, exit.exitCode());
            assertTrue(exit.detail().contains("signal 9"), exit.detail());

            VmException call = assertThrows(VmException.class, () -> s.call("PING"));
            assertTrue(call.getMessage().contains("ended"), call.getMessage());
            assertThrows(VmException.class, () -> s.vm().channel("it.data"));
            assertEquals(before, runFolders("it-kill"), "run folder and sockets removed");
            assertFalse(qemu.isAlive());
        }
    }
}
