package dev.skiff.vm.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.vm.Accel;
import dev.skiff.vm.VmConfig;
import dev.skiff.vm.VmException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding VMs again from their records, and QEMU's own session, without a real guest: records
 * point at this JVM (alive), at an ended process, or at this JVM with another start time (a
 * reused pid); a script stands in for QEMU to show how it is started.
 */
class QemuDriverAttachTest {
    @TempDir
    Path tmp;
    private Path vms;

    @BeforeEach
    void privateRunFolder() {
        System.setProperty("skiff.run", tmp.resolve("run").toString());
        vms = tmp.resolve("run").resolve("vm");
    }

    @AfterEach
    void restore() {
        System.clearProperty("skiff.run");
    }

    private Path vmDir(String id, long pid, long startTime) throws Exception {
        Path dir = Files.createDirectories(vms.resolve(id));
        VmConfig config = VmConfig.of("rec", Path.of("/k"), Path.of("/i"), List.of(), List.of(), List.of("c"))
                .withAccel(Accel.TCG);
        new RunRecord(config, Path.of("/q"), Accel.TCG, tmp.resolve("console.log"), pid, startTime, List.of(), List.of())
                .write(dir);
        return dir;
    }

    private static long endedPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.pid();
    }

    @Test
    void runningVmsListsLiveOnesRemovesDeadOnesAndLeavesUnrecordedFolders() throws Exception {
        long self = ProcessHandle.current().pid();
        long start = ProcStat.read(self).orElseThrow().startTime();
        Path live = vmDir("live-1", self, start);
        Path reused = vmDir("reused-2", self, start - 1);
        Path dead = vmDir("dead-3", endedPid(), start);
        Path starting = Files.createDirectories(vms.resolve("starting-4"));

        assertEquals(List.of(live), QemuDriver.runningVms());
        assertEquals(List.of("live-1"), new QemuDriver(Path.of("/q")).running());
        assertFalse(Files.exists(reused));
        assertFalse(Files.exists(dead));
        assertTrue(Files.isDirectory(starting), "a folder with no record yet may be a VM starting");
    }

    @Test
    void attachingToAnEndedVmSaysSoAndRemovesItsFolder() throws Exception {
        Path dead = vmDir("dead-5", endedPid(), 1);
        Files.writeString(QemuDriver.stderrFile(dead), "qemu: last words\n");
        VmException e = assertThrows(VmException.class, () -> new QemuDriver(Path.of("/q")).attach("dead-5"));
        assertTrue(e.getMessage().contains("has ended") && e.getMessage().contains("last words"), e.getMessage());
        assertFalse(Files.exists(dead));
    }

    @Test
    void attachingWithoutARecordOrQmpFailsClearly() throws Exception {
        QemuDriver driver = new QemuDriver(Path.of("/q"));
        VmException none = assertThrows(VmException.class, () -> driver.attach("nothing-6"));
        assertTrue(none.getMessage().contains("no record"), none.getMessage());
        assertThrows(VmException.class, () -> driver.attach("../escape"));

        long self = ProcessHandle.current().pid();
        vmDir("noqmp-7", self, ProcStat.read(self).orElseThrow().startTime());
        VmException noQmp = assertThrows(VmException.class, () -> driver.attach("noqmp-7"));
        assertTrue(noQmp.getMessage().startsWith("failed to attach to VM rec"), noQmp.getMessage());
    }

    /**
     * QEMU runs in a session and process group of its own, so signals to the daemon's group miss
     * it, and setsid(1) execs it in place: its parent is this JVM, so its pid is the one recorded.
     */
    @Test
    void qemuRunsInItsOwnSessionUnderTheSamePid() throws Exception {
        Path out = tmp.resolve("stat");
        Path fake = tmp.resolve("fake-qemu");
        Files.writeString(fake, "#!/bin/sh\ncat /proc/$$/stat > '" + out + "'\nexit 1\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path kernel = Files.writeString(tmp.resolve("vmlinuz"), "k");
        Path initrd = Files.writeString(tmp.resolve("initrd"), "i");
        VmConfig config = VmConfig.of("sess", kernel, initrd, List.of(), List.of(), List.of()).withAccel(Accel.TCG);
        System.clearProperty("skiff.run"); // the default run folder: a temporary one is too long for socket paths
        VmException e = assertThrows(VmException.class, () -> new QemuDriver(fake).start(config));
        assertTrue(e.getMessage().contains("exited during start-up"), e.getMessage());

        String stat = Files.readString(out);
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long pid = Long.parseLong(stat.substring(0, stat.indexOf(' ')));
        long ppid = Long.parseLong(f[1]), pgrp = Long.parseLong(f[2]), session = Long.parseLong(f[3]);
        assertEquals(ProcessHandle.current().pid(), ppid, "setsid exec'd in place, it did not fork");
        assertEquals(pid, session, "QEMU leads a session of its own");
        assertEquals(pid, pgrp, "and a process group of its own");
    }
}
