package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Window sizes on a real pty pair, seen by the master, the slave and a child's stty. */
class TerminalsTest {
    @Test
    void theWindowSizeSetOnTheMasterIsWhatTheSlaveSees() throws Exception {
        int master = Terminals.openPtyMaster();
        try {
            assertEquals(Pipes.O_CLOEXEC, TestFds.flags(master) & Pipes.O_CLOEXEC);
            String name = Terminals.ptsName(master);
            assertTrue(name.matches("/dev/pts/[0-9]+"), name);
            Terminals.setWindowSize(master, 40, 132);
            assertArrayEquals(new int[] {40, 132}, Terminals.windowSize(master));
            int slave = Fds.openat2(Fds.AT_FDCWD, name, OpenFlags.O_RDWR | OpenFlags.O_NOCTTY, 0, 0);
            try {
                assertArrayEquals(new int[] {40, 132}, Terminals.windowSize(slave));
                Terminals.setWindowSize(master, 65535, 1);
                assertArrayEquals(new int[] {65535, 1}, Terminals.windowSize(slave), "unsigned shorts");
                Terminals.setWindowSize(master, 24, 80);
                int[] out = Pipes.pipe2(Pipes.O_CLOEXEC);
                int pid;
                try {
                    pid = Processes.spawn("/bin/stty", List.of("stty", "size"), List.of(), null,
                            new int[] {slave, out[1], out[1]}, false);
                } finally {
                    Fds.close(out[1]);
                }
                assertEquals("24 80\n", TestFds.readAllAndClose(out[0]));
                assertEquals(0, Processes.waitpid(pid, 0).shellCode());
            } finally {
                Fds.close(slave);
            }
        } finally {
            Fds.close(master);
        }
        assertThrows(IllegalArgumentException.class, () -> Terminals.setWindowSize(0, 70000, 1));
    }

    @Test
    void aPipeIsNoTerminal() throws Exception {
        int[] p = Pipes.pipe2(Pipes.O_CLOEXEC);
        try {
            ErrnoException e = assertThrows(ErrnoException.class, () -> Terminals.windowSize(p[0]));
            assertEquals(Errno.ENOTTY, e.errno());
            assertEquals(Errno.ENOTTY, assertThrows(ErrnoException.class, () -> Terminals.ptsName(p[0])).errno());
        } finally {
            TestFds.closeQuietly(p);
        }
    }
}
