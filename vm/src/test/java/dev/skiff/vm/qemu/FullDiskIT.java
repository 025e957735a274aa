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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk where the VM's sockets go. A tiny tmpfs with no inodes left stands in for it, so
 * this needs root (mount); it runs in the VM phase, where CI is root.
 */
class FullDiskIT {
    @TempDir
    Path tmp;
    private Path full;

    @BeforeEach
    void fillATinyFileSystem() throws Exception {
        assertEquals("root", System.getProperty("user.name"), "this test mounts a tmpfs and must run as root");
        full = Files.createDirectory(tmp.resolve("full"));
        run("mount", "-t", "tmpfs", "-o", "size=64k,nr_inodes=8", "tmpfs", full.toString());
        for (int i = 0; ; i++) {
            try {
                Files.createDirectory(full.resolve("filler" + i));
            } catch (IOException e) {
                break; // the file system is full now
            }
        }
        System.setProperty("skiff.run", full.toString());
    }

    @AfterEach
    void unmount() throws Exception {
        System.clearProperty("skiff.run");
        run("umount", full.toString());
    }

    @Test
    void fullDiskGivesAClearErrorAndStartsNothing() throws IOException {
        Path kernel = Files.writeString(tmp.resolve("vmlinuz"), "k");
        Path initrd = Files.writeString(tmp.resolve("initrd"), "i");
        VmConfig config = VmConfig.of("full", kernel, initrd, List.of(), List.of(), List.of("c")).withAccel(Accel.TCG);
        long children = ProcessHandle.current().children().count();
        VmException e = assertThrows(VmException.class, () -> new QemuDriver(Path.of("/bin/true")).start(config));
        assertTrue(e.getMessage().contains("No space left on device") && e.getMessage().contains("free space"),
                e.getMessage());
        assertEquals(children, ProcessHandle.current().children().count(), "no process was started");
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", cmd) + " failed");
    }
}
