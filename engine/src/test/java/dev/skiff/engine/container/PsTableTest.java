package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.agent.api.ProcessInfo;
import dev.skiff.engine.api.Backend.ProcessList;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docker top's ps -ef table from the guest's process list, and what of the guest's it refuses. */
class PsTableTest {
    static final Instant NOW = Instant.parse("2024-06-15T12:30:00Z");
    static final ZoneId UTC = ZoneOffset.UTC;

    private static ProcessInfo.Builder proc(int pid) {
        return ProcessInfo.newBuilder().setPid(pid).setPpid(0).setUid(0).setUser("root").setElapsedMillis(60_000)
                .setCpuMillis(0).setTty("?").setCmd("sleep 600");
    }

    @Test
    void psEfColumns() {
        ProcessList list = PsTable.of(List.of(proc(812).setCpuMillis(30_000).setTty("pts/0").setCmd("sh -c x").build(),
                proc(840).setPpid(812).setUid(1000).setUser("").build()), NOW, UTC);
        assertEquals(List.of("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"), list.titles());
        assertEquals(List.of("root", "812", "0", "50", "12:29", "pts/0", "00:00:30", "sh -c x"), list.processes().get(0));
        assertEquals(List.of("1000", "840", "812", "0", "12:29", "?", "00:00:00", "sleep 600"), list.processes().get(1),
                "a uid without a name is shown as the number");
    }

    @Test
    void cpuPercentTimeAndStartAsProcpsFormatsThem() {
        assertEquals(99, PsTable.cpuPercent(200_000, 100_000), "capped at 99");
        assertEquals(0, PsTable.cpuPercent(5, 0));
        assertEquals("00:00:00", PsTable.cpuTime(999));
        assertEquals("01:02:03", PsTable.cpuTime(3_723_000));
        assertEquals("2-00:00:01", PsTable.cpuTime((2 * 86400 + 1) * 1000L));
        assertEquals("12:00", PsTable.startTime(NOW.minusSeconds(1800), NOW, UTC));
        assertEquals("Jun13", PsTable.startTime(NOW.minusSeconds(2 * 86400), NOW, UTC));
        assertEquals("2023", PsTable.startTime(Instant.parse("2023-12-31T10:00:00Z"), NOW, UTC));
    }

    @Test
    void controlCharactersAndLongStringsFromTheGuestAreCleaned() {
        ProcessList list = PsTable.of(List.of(proc(5).setCmd("evil\u001b[2Jcmd\n" + "x".repeat(10_000))
                .setUser("a\u0007b").build()), NOW, UTC);
        List<String> row = list.processes().getFirst();
        assertEquals("a?b", row.get(0));
        assertEquals(PsTable.MAX_COMMAND, row.get(7).length());
        assertEquals("evil?[2Jcmd?x", row.get(7).substring(0, 13));
    }

    @Test
    void impossibleProcessesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> PsTable.of(List.of(proc(0).build()), NOW, UTC));
        assertThrows(IllegalArgumentException.class, () -> PsTable.of(List.of(proc(3).setPpid(-1).build()), NOW, UTC));
        assertThrows(IllegalArgumentException.class, () -> PsTable.of(List.of(proc(3).setCpuMillis(-1).build()), NOW, UTC),
                "a uint64 past 2^63");
        assertThrows(IllegalArgumentException.class, () -> PsTable.of(
                Collections.nCopies(PsTable.MAX_PROCESSES + 1, proc(3).build()), NOW, UTC));
    }
}
