package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.agent.api.IoUsage;
import dev.skiff.agent.api.NetworkCounters;
import dev.skiff.agent.api.StatsResponse;
import dev.skiff.engine.api.StatsSample;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The guest's stats become Docker's units, and what no kernel would send is refused. */
class GuestStatsTest {
    static final Instant READ = Instant.parse("2024-06-15T12:30:00.5Z");

    static StatsResponse.Builder reply() {
        return StatsResponse.newBuilder().setCpuUsageUsec(2000).setCpuUserUsec(1500).setCpuSystemUsec(500)
                .setCpuNrPeriods(3).setCpuNrThrottled(1).setCpuThrottledUsec(7).setSystemCpuNanos(9_000_000_000L)
                .setOnlineCpus(2).setMemoryBytes(3 << 20).setMemoryLimitBytes(1L << 30)
                .putMemoryStat("inactive_file", 4096).setPids(2).setPidsLimit(0)
                .addIo(IoUsage.newBuilder().setMajor(254).setMinor(0).setReadBytes(512).setWriteBytes(1024))
                .addNetworks(NetworkCounters.newBuilder().setName("eth0").setRxBytes(10).setTxBytes(20));
    }

    @Test
    void microsecondsBecomeNanosecondsAndMaxBecomesNoLimit() {
        StatsSample s = GuestStats.sample("c1", "/web", reply().build(), READ);
        assertEquals(READ, s.read());
        assertEquals(new StatsSample.Cpu(2_000_000, 500_000, 1_500_000, 9_000_000_000L, 2, 3, 1, 7000), s.cpu());
        assertEquals(3 << 20, s.memory().usage());
        assertEquals(1L << 30, s.memory().limit());
        assertEquals(4096L, s.memory().stats().get("inactive_file"));
        assertEquals(2, s.pids());
        assertEquals(-1, s.pidsLimit(), "pids.max \"max\"");
        assertEquals(new StatsSample.Io(254, 0, 512, 1024), s.io().getFirst());
        assertEquals(10, s.networks().get("eth0").rxBytes());
        assertEquals(20, s.networks().get("eth0").txBytes());
        assertEquals(100, GuestStats.sample("c1", "/web", reply().setPidsLimit(100).build(), READ).pidsLimit());
    }

    @Test
    void whatNoKernelSendsIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> GuestStats.sample("c", "/n", reply().setMemoryBytes(-1).build(), READ), "uint64 past 2^63");
        assertThrows(IllegalArgumentException.class,
                () -> GuestStats.sample("c", "/n", reply().setCpuUsageUsec(Long.MAX_VALUE / 10).build(), READ),
                "overflows in nanoseconds");
        assertThrows(IllegalArgumentException.class,
                () -> GuestStats.sample("c", "/n", reply().putMemoryStat("bad key\n", 1).build(), READ));
        assertThrows(IllegalArgumentException.class, () -> GuestStats.sample("c", "/n",
                reply().addNetworks(NetworkCounters.newBuilder().setName("eth0")).build(), READ), "eth0 twice");
        assertThrows(IllegalArgumentException.class, () -> GuestStats.sample("c", "/n",
                reply().addNetworks(NetworkCounters.newBuilder().setName("../x")).build(), READ));
        StatsResponse.Builder many = reply();
        for (int i = 0; i <= GuestStats.MAX_KEYS; i++) {
            many.putMemoryStat("k" + i, i);
        }
        assertThrows(IllegalArgumentException.class, () -> GuestStats.sample("c", "/n", many.build(), READ));
        assertThrows(IllegalArgumentException.class,
                () -> GuestStats.sample("c", "/n", reply().setOnlineCpus(-5).build(), READ));
    }
}
