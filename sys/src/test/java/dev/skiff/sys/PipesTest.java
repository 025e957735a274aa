package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

class PipesTest {
    @Test
    void bytesFlowFromTheWriteEndToTheReadEnd() throws Exception {
        int[] p = Pipes.pipe2(Pipes.O_CLOEXEC);
        TestFds.write(p[1], "through the pipe");
        assertEquals(Pipes.O_CLOEXEC, TestFds.flags(p[0]) & Pipes.O_CLOEXEC);
        assertEquals(Pipes.O_CLOEXEC, TestFds.flags(p[1]) & Pipes.O_CLOEXEC);
        Fds.close(p[1]);
        assertEquals("through the pipe", TestFds.readAllAndClose(p[0]));
    }

    @Test
    void nonBlockingReadOfAnEmptyPipeSaysEagain() throws Exception {
        int[] p = Pipes.pipe2(Pipes.O_CLOEXEC | Pipes.O_NONBLOCK);
        try (Arena arena = Arena.ofConfined()) {
            ErrnoException e = assertThrows(ErrnoException.class, () -> Fds.read(p[0], arena.allocate(8), 8));
            assertEquals(Errno.EAGAIN, e.errno());
        } finally {
            TestFds.closeQuietly(p);
        }
        int[] plain = Pipes.pipe2(0);
        try {
            assertEquals(0, TestFds.flags(plain[0]) & Pipes.O_CLOEXEC, "no flags, no close-on-exec");
        } finally {
            TestFds.closeQuietly(plain);
        }
        assertThrows(IllegalArgumentException.class, () -> Pipes.pipe2(OpenFlags.O_APPEND));
    }
}
