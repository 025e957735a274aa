package dev.skiff.vm.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcStatTest {
    @Test
    void fieldsAreCountedFromTheLastParenthesis() throws IOException {
        // a command name with spaces and parentheses, as prctl(PR_SET_NAME) allows
        String line = "77 (a) b (c) S 1 77 77 0 -1 4194560 100 0 0 0 5 6 0 0 20 0 1 0 987654 1000 10";
        ProcStat s = ProcStat.parse(line);
        assertEquals('S', s.state());
        assertEquals(987654L, s.startTime());
        assertFalse(s.ended());
        assertTrue(ProcStat.parse(line.replace(") S ", ") Z ")).ended());
    }

    @Test
    void truncatedLinesAreRefused() {
        assertThrows(IOException.class, () -> ProcStat.parse("77 (a) S 1 77"));
    }

    @Test
    void thisProcessIsAliveAndAnEndedOneIsNot() throws Exception {
        long self = ProcessHandle.current().pid();
        long start = ProcStat.read(self).orElseThrow().startTime();
        assertTrue(ProcStat.alive(self, start));
        assertFalse(ProcStat.alive(self, start + 1), "another start time means another process");

        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertFalse(ProcStat.alive(p.pid(), 0));
    }
}
