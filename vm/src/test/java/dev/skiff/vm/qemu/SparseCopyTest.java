package dev.skiff.vm.qemu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.vm.VmException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseCopyTest {
    @TempDir
    Path dir;

    private static long allocated(Path f) throws Exception {
        return dev.skiff.sys.Files.statx(dev.skiff.sys.Fds.AT_FDCWD, f.toString(), 0).blocks() * 512;
    }

    @Test
    void aTemplatesRamIsCopiedWithItsHolesKept() throws Exception {
        Path from = dir.resolve("ram");
        long size = 64L << 20;
        byte[] a = new byte[8192], b = new byte[4096];
        java.util.Arrays.fill(a, (byte) 1);
        java.util.Arrays.fill(b, (byte) 2);
        try (FileChannel ch = FileChannel.open(from, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(a), 1 << 20);
            ch.write(ByteBuffer.wrap(b), size - 4096); // data to the very end
        }
        Path to = dir.resolve("copy");
        long copied = SparseCopy.copy(from, to);
        assertEquals(size, Files.size(to));
        assertArrayEquals(Files.readAllBytes(from), Files.readAllBytes(to));
        assertTrue(copied < 1 << 20, "only the data is copied: " + copied);
        assertTrue(allocated(to) < 1 << 20, "the holes stay holes: " + allocated(to));
    }

    @Test
    void anEmptyOrAllHoleFileCopiesToTheSameSize() throws Exception {
        Path from = dir.resolve("holes");
        try (FileChannel ch = FileChannel.open(from, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.truncate(0);
            ch.position((16 << 20) - 1).write(ByteBuffer.wrap(new byte[1]));
        }
        Path to = dir.resolve("copy");
        SparseCopy.copy(from, to);
        assertEquals(16 << 20, Files.size(to));
    }

    @Test
    void exec_uriPathsAreQuotedAndAQuoteIsRefused() throws Exception {
        assertEquals("'/cache/t/state'", Migration.quoted(Path.of("/cache/t/state")));
        assertThrows(VmException.class, () -> Migration.quoted(Path.of("/tmp/it's")));
        assertThrows(VmException.class, () -> Migration.quoted(Path.of("/tmp/a\nb")));
    }
}
