package dev.skiff.vm.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KVM probe's decisions. This host has no usable /dev/kvm to hang a kernel, so the probe's
 * QEMU is a script that behaves as QEMU does in each case (a kernel that reaches its root-mount
 * panic, one that hangs, a QEMU that refuses KVM), and the device is a plain file.
 */
class AccelProbeTest {
    @TempDir
    Path tmp;

    private Path script(String body) throws IOException {
        Path p = tmp.resolve("qemu-" + Math.abs(body.hashCode()));
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    private Path device() throws IOException {
        return Files.writeString(tmp.resolve("kvm"), "");
    }

    @Test
    void aKernelThatReachesItsRootPanicMeansKvmWorks() throws IOException {
        Path qemu = script("echo '[    0.512] Kernel panic - not syncing: VFS: Unable to mount root fs'; exit 0");
        assertNull(AccelProbe.kvmProblem(qemu, tmp.resolve("vmlinuz"), device(), Duration.ofSeconds(20)));
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS) // a guard against waiting on the hung QEMU forever, not a measurement
    void aKernelThatHangsUnderKvmIsCaughtByTheTimeout() throws IOException {
        Path qemu = script("echo 'SeaBIOS'; exec sleep 600");
        String why = AccelProbe.kvmProblem(qemu, tmp.resolve("vmlinuz"), device(), Duration.ofSeconds(2));
        assertEquals("a kernel did not boot under KVM within 2 s", why);
    }

    @Test
    void qemuRefusingKvmIsReportedWithItsMessage() throws IOException {
        Path qemu = script("echo 'qemu-system-x86_64: -accel kvm: failed to initialize kvm: Permission denied'; exit 1");
        String why = AccelProbe.kvmProblem(qemu, tmp.resolve("vmlinuz"), device(), Duration.ofSeconds(20));
        assertTrue(why.contains("failed to initialize kvm"), why);
    }

    @Test
    void aMissingDeviceNeedsNoProbe() throws IOException {
        assertEquals("/dev/kvm is missing",
                AccelProbe.kvmProblem(script("exit 0"), tmp.resolve("vmlinuz"), tmp.resolve("no-kvm"), Duration.ofSeconds(1)));
    }
}
