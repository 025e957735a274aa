package dev.skiff.vm.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.vm.Accel;
import dev.skiff.vm.VmConfig;
import dev.skiff.vm.VmException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up failures give a clear error and leave no process, socket or run folder behind. These
 * need no real guest: a missing binary, a missing kernel, and a "QEMU" that dies at once (a
 * script standing in for a QEMU that rejects its command line) are all caught before a boot.
 */
class QemuDriverErrorsTest {
    @TempDir
    Path tmp;

    private VmConfig config(Path kernel) throws IOException {
        Path initrd = Files.writeString(tmp.resolve("initrd.img"), "x");
        return VmConfig.of("err", kernel, initrd, List.of(), List.of(), List.of("skiff.control")).withAccel(Accel.TCG);
    }

    private long childCount() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
    }

    private static long runFolders() throws IOException {
        Path vms = dev.skiff.vm.RunDirs.base().resolve("vm");
        if (!Files.isDirectory(vms)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(vms)) {
            return s.filter(p -> p.getFileName().toString().startsWith("err-")).count();
        }
    }

    @Test
    void missingBinaryNamesThePackageToInstall() throws IOException {
        Path kernel = Files.writeString(tmp.resolve("vmlinuz"), "k");
        QemuDriver driver = new QemuDriver(tmp.resolve("no-such-qemu"));
        VmException e = assertThrows(VmException.class, () -> driver.start(config(kernel)));
        assertTrue(e.getMessage().contains("apt-get install qemu-system-x86"), e.getMessage());
    }

    @Test
    void missingKernelSaysHowToBuildTheImage() throws IOException {
        QemuDriver driver = new QemuDriver(Path.of("/bin/true"));
        VmException e = assertThrows(VmException.class, () -> driver.start(config(tmp.resolve("missing-vmlinuz"))));
        assertTrue(e.getMessage().contains("missing-vmlinuz") && e.getMessage().contains("skiff guest build"), e.getMessage());
    }

    @Test
    void qemuThatDiesAtStartupReportsItsErrorAndLeavesNothing() throws Exception {
        Path fake = tmp.resolve("fake-qemu");
        Files.writeString(fake, "#!/bin/sh\necho 'qemu-system-x86_64: -machine pc: unsupported machine type' >&2\nexit 1\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path kernel = Files.writeString(tmp.resolve("vmlinuz"), "k");
        long folders = runFolders();
        QemuDriver driver = new QemuDriver(fake);
        VmException e = assertThrows(VmException.class, () -> driver.start(config(kernel)));
        assertTrue(e.getMessage().contains("exited during start-up") && e.getMessage().contains("unsupported machine type"),
                e.getMessage());
        assertEquals(folders, runFolders(), "the run folder is removed");
        assertEquals(0, ProcessHandle.current().children().filter(p -> p.info().command().orElse("").equals(fake.toString()))
                .filter(ProcessHandle::isAlive).count());
    }

    @Test
    void kvmAskedForExplicitlyFailsClearlyWhenItDoesNotWork() {
        // "/bin/false" as QEMU never boots a kernel, so KVM is unusable whatever the host has.
        VmException e = assertThrows(VmException.class,
                () -> AccelProbe.resolve(Accel.KVM, Path.of("/bin/false"), tmp.resolve("vmlinuz")));
        assertTrue(e.getMessage().startsWith("KVM was asked for but does not work here"), e.getMessage());
    }

    @Test
    void hypervisorsOfOtherHostsAreRefusedWithAHint() {
        VmException e = assertThrows(VmException.class,
                () -> AccelProbe.resolve(Accel.HVF, Path.of("/bin/false"), tmp.resolve("k")));
        assertTrue(e.getMessage().contains("--accel=auto or tcg"), e.getMessage());
    }
}
