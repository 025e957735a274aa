package dev.skiff.engine.container;

import dev.skiff.agent.api.IoUsage;
import dev.skiff.agent.api.NetworkCounters;
import dev.skiff.agent.api.StatsResponse;
import dev.skiff.engine.api.StatsSample;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * docker stats from what the guest's agent read (agent.proto's StatsResponse): microseconds
 * become Docker's nanoseconds, and everything is checked first, since the guest is untrusted. A
 * counter past 2^63 (negative in Java), more entries than the agent sends, or a name that is no
 * kernel's is refused, so nothing odd reaches a client.
 */
public final class GuestStats {
    /** The most memory.stat keys, io.stat devices and interfaces taken (the agent sends no more). */
    static final int MAX_KEYS = 128, MAX_DEVICES = 64, MAX_INTERFACES = 64, MAX_CPUS = 4096;
    private static final Pattern KEY = Pattern.compile("[a-z0-9_]{1,64}");
    /** A Linux interface name: at most 15 bytes (IFNAMSIZ), no '/', ':' or white space. */
    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.@-]{1,15}");

    private GuestStats() {}

    /**
     * @param name Docker's "/NAME"
     * @throws IllegalArgumentException naming what the guest got wrong
     */
    public static StatsSample sample(String id, String name, StatsResponse s, Instant read) {
        StatsSample.Cpu cpu = new StatsSample.Cpu(micros(s.getCpuUsageUsec(), "cpu usage"),
                micros(s.getCpuSystemUsec(), "cpu system"), micros(s.getCpuUserUsec(), "cpu user"),
                count(s.getSystemCpuNanos(), "system cpu"), cpus(s.getOnlineCpus()),
                count(s.getCpuNrPeriods(), "cpu periods"), count(s.getCpuNrThrottled(), "throttled periods"),
                micros(s.getCpuThrottledUsec(), "throttled time"));
        if (s.getMemoryStatCount() > MAX_KEYS) {
            throw new IllegalArgumentException(s.getMemoryStatCount() + " memory.stat keys, more than " + MAX_KEYS);
        }
        Map<String, Long> memoryStat = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : s.getMemoryStatMap().entrySet()) {
            if (!KEY.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("a memory.stat key that is none: \"" + PsTable.clean(e.getKey(), 64)
                        + "\"");
            }
            memoryStat.put(e.getKey(), count(e.getValue(), "memory.stat " + e.getKey()));
        }
        StatsSample.Memory memory = new StatsSample.Memory(count(s.getMemoryBytes(), "memory usage"),
                count(s.getMemoryLimitBytes(), "memory limit"), memoryStat);
        if (s.getIoCount() > MAX_DEVICES || s.getNetworksCount() > MAX_INTERFACES) {
            throw new IllegalArgumentException(s.getIoCount() + " devices and " + s.getNetworksCount()
                    + " interfaces, more than " + MAX_DEVICES + " and " + MAX_INTERFACES);
        }
        List<StatsSample.Io> io = new ArrayList<>();
        for (IoUsage d : s.getIoList()) {
            io.add(new StatsSample.Io(Integer.toUnsignedLong(d.getMajor()), Integer.toUnsignedLong(d.getMinor()),
                    count(d.getReadBytes(), "read bytes"), count(d.getWriteBytes(), "written bytes")));
        }
        Map<String, StatsSample.Net> networks = new LinkedHashMap<>();
        for (NetworkCounters n : s.getNetworksList()) {
            if (!INTERFACE.matcher(n.getName()).matches() || networks.containsKey(n.getName())) {
                throw new IllegalArgumentException("an interface name that is none or twice: \""
                        + PsTable.clean(n.getName(), 16) + "\"");
            }
            networks.put(n.getName(), new StatsSample.Net(count(n.getRxBytes(), "rx bytes"),
                    count(n.getRxPackets(), "rx packets"), count(n.getRxErrors(), "rx errors"),
                    count(n.getRxDropped(), "rx dropped"), count(n.getTxBytes(), "tx bytes"),
                    count(n.getTxPackets(), "tx packets"), count(n.getTxErrors(), "tx errors"),
                    count(n.getTxDropped(), "tx dropped")));
        }
        long pidsLimit = count(s.getPidsLimit(), "pids limit");
        return new StatsSample(id, name, read, cpu, memory, count(s.getPids(), "pids"), pidsLimit == 0 ? -1 : pidsLimit,
                io, networks);
    }

    private static long count(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " " + Long.toUnsignedString(value) + " is past 2^63");
        }
        return value;
    }

    /** Microseconds in nanoseconds; refused where that overflows. */
    private static long micros(long usec, String what) {
        try {
            return Math.multiplyExact(count(usec, what), 1000L);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(what + " " + usec + " µs overflows in nanoseconds");
        }
    }

    private static int cpus(int n) {
        if (n < 0 || n > MAX_CPUS) {
            throw new IllegalArgumentException(Integer.toUnsignedString(n) + " CPUs online, more than " + MAX_CPUS);
        }
        return n;
    }
}
