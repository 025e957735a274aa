package dev.skiff.engine.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One sample of a container's resource use (docker stats), in the engine's terms and already
 * checked: every number is non-negative. A container that does not run has {@code read} null and
 * zeros everywhere, as dockerd reports one.
 *
 * @param pidsLimit its pids.max; -1 for none
 */
public record StatsSample(String id, String name, Instant read, Cpu cpu, Memory memory, long pids, long pidsLimit,
                          List<Io> io, Map<String, Net> networks) {
    /** CPU time in nanoseconds: the container's, and the whole VM's ({@code system}). */
    public record Cpu(long total, long kernel, long user, long system, int onlineCpus, long periods,
                      long throttledPeriods, long throttledTime) {
        public static final Cpu ZERO = new Cpu(0, 0, 0, 0, 0, 0, 0, 0);
    }

    /** memory.current, the limit (the VM's memory when it has none) and memory.stat. */
    public record Memory(long usage, long limit, Map<String, Long> stats) {
        public Memory {
            stats = Map.copyOf(stats);
        }
    }

    /** Bytes read and written on one block device. */
    public record Io(long major, long minor, long readBytes, long writeBytes) {}

    /** One interface's counters. */
    public record Net(long rxBytes, long rxPackets, long rxErrors, long rxDropped, long txBytes, long txPackets,
                      long txErrors, long txDropped) {}

    public StatsSample {
        io = List.copyOf(io);
        networks = Map.copyOf(networks);
    }

    /** What dockerd reports of a container that does not run: its name and id, and zeros. */
    public static StatsSample stopped(String id, String name) {
        return new StatsSample(id, name, null, Cpu.ZERO, null, 0, 0, List.of(), Map.of());
    }

    public boolean running() {
        return read != null;
    }
}
