package dev.skiff.vm.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.vm.Accel;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.VmConfig;
import dev.skiff.vm.VmException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunRecordTest {
    @TempDir
    Path dir;

    private static RunRecord sample() {
        VmConfig config = new VmConfig("rec-1", Path.of("/img/vmlinuz"), Path.of("/img/initrd, with comma"),
                List.of("ro", "skiff.x=a b", "=odd#!"), List.of("--flag", "ünïcode", ""), 768, 3, Accel.AUTO,
                List.of("skiff.control", "it.data"),
                List.of(new DiskSpec(Path.of("/d/a.erofs"), "a-disk", true), new DiskSpec(Path.of("/d/b"), "b", false)),
                Path.of("/logs/c.log"), new dev.skiff.vm.Uplink("52:54:00:5f:00:01", "10.0.2.0/24", "10.0.2.15",
                        "10.0.2.2", "10.0.2.3"), Path.of("/img/opt.erofs"));
        return new RunRecord(config, Path.of("/usr/bin/qemu-system-x86_64"), Accel.TCG, Path.of("/logs/c.log"),
                4242, 123456789L, List.of(), List.of());
    }

    @Test
    void roundTripsEveryField() throws Exception {
        RunRecord r = sample().withChannel("hot.1").withDisk(new DiskSpec(Path.of("/d/hot img"), "hot", true))
                .withChannel("hot.2").withNic(new dev.skiff.vm.NicSpec("n1a2b", "52:54:00:aa:bb:cc"));
        r.write(dir);
        RunRecord back = RunRecord.read(dir);
        assertEquals(r, back);
        assertEquals(List.of("skiff.control", "it.data", "hot.1", "hot.2"), back.allChannels());
    }

    @Test
    void anUnpluggedDiskLeavesTheRecordAndTheOthersKeepTheirOrder() throws Exception {
        RunRecord r = sample().withDisk(new DiskSpec(Path.of("/d/1.erofs"), "l1", true))
                .withDisk(new DiskSpec(Path.of("/d/2.erofs"), "l2", true))
                .withDisk(new DiskSpec(Path.of("/d/3.erofs"), "l3", true));
        RunRecord without = r.withoutDisk("l2");
        without.write(dir);
        RunRecord back = RunRecord.read(dir);
        assertEquals(List.of("l1", "l3"), back.hotplugDisks().stream().map(DiskSpec::serial).toList());
        assertEquals(without, back);
        assertEquals(without, without.withoutDisk("l2"), "a serial it lacks changes nothing");
    }

    @Test
    void nullConsoleLogAndEmptyListsRoundTrip() throws Exception {
        RunRecord s = sample();
        VmConfig bare = new VmConfig("bare", s.config().kernel(), s.config().initrd(), List.of(), List.of(), 64, 1,
                Accel.KVM, List.of(), List.of(), null, null, null);
        RunRecord r = new RunRecord(bare, s.binary(), Accel.KVM, Path.of("/l"), 1, 2, List.of(), List.of());
        r.write(dir);
        assertEquals(r, RunRecord.read(dir));
    }

    @Test
    void rewritingReplacesTheFileAndLeavesNoTemporaryFiles() throws Exception {
        RunRecord r = sample();
        r.write(dir);
        RunRecord r2 = r.withChannel("late");
        r2.write(dir);
        assertEquals(r2, RunRecord.read(dir));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(RunRecord.FILE), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void aFailedWriteKeepsTheOldRecordWhole() throws Exception {
        RunRecord r = sample();
        r.write(dir);
        // The rename cannot replace a non-empty directory: the write fails after the temporary file was written.
        Path other = Files.createDirectory(dir.resolve("other"));
        Files.createDirectory(other.resolve(RunRecord.FILE));
        Files.writeString(other.resolve(RunRecord.FILE).resolve("x"), "x");
        VmException e = assertThrows(VmException.class, () -> r.withChannel("x").write(other));
        assertTrue(e.getMessage().startsWith("failed to write the VM record"), e.getMessage());
        try (Stream<Path> files = Files.list(other)) {
            assertEquals(List.of(RunRecord.FILE), files.map(p -> p.getFileName().toString()).toList(),
                    "the temporary file is removed");
        }
        assertEquals(r, RunRecord.read(dir));
    }

    @Test
    void missingRecordIsNoSuchFile() {
        assertThrows(NoSuchFileException.class, () -> RunRecord.read(dir));
    }

    @Test
    void otherFormatsAndBrokenRecordsAreRefusedWithTheirPath() throws Exception {
        Properties p = sample().toProperties();
        p.setProperty("format", "99");
        try (var w = Files.newBufferedWriter(RunRecord.file(dir))) {
            p.store(w, null);
        }
        VmException e = assertThrows(VmException.class, () -> RunRecord.read(dir));
        assertTrue(e.getMessage().contains(RunRecord.file(dir).toString()) && e.getMessage().contains("format 99"),
                e.getMessage());

        p.setProperty("format", "1");
        p.remove("qemu.startTime");
        try (var w = Files.newBufferedWriter(RunRecord.file(dir))) {
            p.store(w, null);
        }
        e = assertThrows(VmException.class, () -> RunRecord.read(dir));
        assertTrue(e.getMessage().contains("missing qemu.startTime"), e.getMessage());
    }
}
