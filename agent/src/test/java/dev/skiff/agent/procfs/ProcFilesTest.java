package dev.skiff.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.skiff.agent.api.IoUsage;
import dev.skiff.agent.api.NetworkCounters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parsers on sample contents of the files as a 6.1 kernel writes them. */
class ProcFilesTest {
    static final String PROC_STAT = """
            cpu  10132153 290696 3084719 46828483 16683 0 25195 0 175628 0
            cpu0 1393280 32966 572056 13343292 6130 0 17875 0 23933 0
            cpu1 1335436 35064 519373 13442120 1963 0 1504 0 22349 0
            intr 1462898 0 9 0 0 0 0 3 0
            ctxt 2372651
            btime 1700000000
            """;

    @Test
    void cpuStatAndMemoryStatAreKeyValues() {
        Map<String, Long> cpu = ProcFiles.keyValues("""
                usage_usec 2517930
                user_usec 1780311
                system_usec 737619
                nr_periods 0
                nr_throttled 0
                throttled_usec 0
                nr_bursts 0
                burst_usec 0
                """);
        assertEquals(2517930L, cpu.get("usage_usec"));
        assertEquals(737619L, cpu.get("system_usec"));
        assertEquals(8, cpu.size());
        Map<String, Long> mem = ProcFiles.keyValues("anon 184320\nfile 8192\ninactive_file 4096\nbroken line here\nx -1\n");
        assertEquals(Map.of("anon", 184320L, "file", 8192L, "inactive_file", 4096L), mem, "malformed lines skipped");
    }

    @Test
    void singleValuesAndMax() {
        assertEquals(1073741824L, ProcFiles.single("1073741824\n"));
        assertEquals(-1, ProcFiles.single("max\n"));
        assertEquals(0, ProcFiles.single(""));
        assertEquals(0, ProcFiles.single("garbage"));
    }

    @Test
    void systemCpuIsTheFirstEightFieldsOfTheCpuLineInNanoseconds() {
        long ticks = 10132153L + 290696 + 3084719 + 46828483 + 16683 + 0 + 25195 + 0;
        assertEquals(ticks * 10_000_000L, ProcFiles.systemCpuNanos(PROC_STAT));
        assertEquals(2, ProcFiles.onlineCpus(PROC_STAT));
        assertEquals(0, ProcFiles.systemCpuNanos("intr 1\n"));
    }

    @Test
    void ioStatPerDevice() {
        List<IoUsage> io = ProcFiles.ioStat("""
                254:0 rbytes=1286144 wbytes=4096 rios=44 wios=1 dbytes=0 dios=0
                254:16 rbytes=0 wbytes=0 rios=0 wios=0 dbytes=0 dios=0
                nonsense
                """);
        assertEquals(2, io.size());
        assertEquals(254, io.getFirst().getMajor());
        assertEquals(0, io.getFirst().getMinor());
        assertEquals(1286144, io.getFirst().getReadBytes());
        assertEquals(4096, io.getFirst().getWriteBytes());
        assertEquals(44, io.getFirst().getReadIos());
        assertEquals(1, io.getFirst().getWriteIos());
        assertEquals(16, io.get(1).getMinor());
    }

    @Test
    void netDevLeavesOutLoopback() {
        List<NetworkCounters> nets = ProcFiles.netDev("""
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo:     120       2    0    0    0     0          0         0      120       2    0    0    0     0       0          0
                  eth0:    5321      47    1    2    0     0          0         0     1102      13    3    4    0     0       0          0
                """);
        assertEquals(1, nets.size());
        NetworkCounters eth0 = nets.getFirst();
        assertEquals("eth0", eth0.getName());
        assertEquals(5321, eth0.getRxBytes());
        assertEquals(47, eth0.getRxPackets());
        assertEquals(1, eth0.getRxErrors());
        assertEquals(2, eth0.getRxDropped());
        assertEquals(1102, eth0.getTxBytes());
        assertEquals(13, eth0.getTxPackets());
        assertEquals(3, eth0.getTxErrors());
        assertEquals(4, eth0.getTxDropped());
    }

    @Test
    void procStatCountsFieldsFromTheLastParenthesis() {
        ProcFiles.Stat s = ProcFiles.stat("4242 (my (odd) cmd) S 1 4242 4242 34816 4242 4194560 120 0 0 0 "
                + "250 50 0 0 20 0 1 0 123456 4390912 210 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0");
        assertEquals("my (odd) cmd", s.comm());
        assertEquals(1, s.ppid());
        assertEquals(34816, s.ttyNr());
        assertEquals(250, s.utime());
        assertEquals(50, s.stime());
        assertEquals(123456, s.starttime());
        assertEquals(3000, s.cpuMillis());
        assertNull(ProcFiles.stat("4242 no parens"));
        assertNull(ProcFiles.stat("4242 (x) S 1 2"));
    }

    @Test
    void ttyNamesAsPsGivesThem() {
        assertEquals("?", ProcFiles.ttyName(0));
        assertEquals("pts/0", ProcFiles.ttyName(136 << 8));
        assertEquals("pts/3", ProcFiles.ttyName((136 << 8) | 3));
        assertEquals("pts/300", ProcFiles.ttyName((137 << 8) | 44));
        assertEquals("tty1", ProcFiles.ttyName((4 << 8) | 1));
        assertEquals("ttyS0", ProcFiles.ttyName((4 << 8) | 64));
        assertEquals("console", ProcFiles.ttyName((5 << 8) | 1));
    }

    @Test
    void uidUserAndCommand() {
        assertEquals(1000, ProcFiles.realUid("Name:\tsleep\nUid:\t1000\t1000\t1000\t1000\nGid:\t0\t0\t0\t0\n"));
        assertEquals(-1, ProcFiles.realUid("Name:\tsleep\n"));
        String passwd = "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534::/:\n";
        assertEquals("root", ProcFiles.userName(passwd, 0));
        assertEquals("nobody", ProcFiles.userName(passwd, 65534));
        assertEquals("", ProcFiles.userName(passwd, 1000));
        assertEquals("sleep 600", ProcFiles.command("sleep\u0000600\u0000".getBytes(StandardCharsets.UTF_8), "sleep"));
        assertEquals("[kworker/0:1]", ProcFiles.command(new byte[0], "kworker/0:1"));
        assertEquals(12345, ProcFiles.uptimeMillis("12.345 20.00\n"));
    }
}
