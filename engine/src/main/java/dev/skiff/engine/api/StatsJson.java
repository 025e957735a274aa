package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * Docker's stats JSON (moby api/types/container StatsResponse) for cgroup v2, as dockerd's
 * {@code statsV2} fills it: CPU times in nanoseconds, memory.stat's keys as they are, io.stat as
 * "read" and "write" entries of io_service_bytes_recursive, per-interface network counters.
 * Fields Go leaves out when empty (omitempty) are left out here too.
 */
final class StatsJson {
    /** Go's math.MaxUint64: what dockerd reports as the pids limit of a cgroup whose pids.max is "max". */
    static final BigInteger NO_LIMIT = new BigInteger("18446744073709551615");
    private static final String[] BLKIO = {"io_service_bytes_recursive", "io_serviced_recursive",
        "io_queue_recursive", "io_service_time_recursive", "io_wait_time_recursive", "io_merged_recursive",
        "io_time_recursive", "sectors_recursive"};

    private StatsJson() {}

    /** {@code now}, with {@code pre} (the sample before it, or null) as precpu_stats and preread. */
    static ObjectNode of(StatsSample now, StatsSample pre) {
        ObjectNode json = Json.object().put("name", now.name()).put("id", now.id())
                .put("read", time(now)).put("preread", pre == null ? time(null) : time(pre));
        ObjectNode pids = json.putObject("pids_stats");
        if (now.pids() > 0) {
            pids.put("current", now.pids());
        }
        if (now.running()) {
            if (now.pidsLimit() < 0) {
                pids.put("limit", NO_LIMIT);
            } else if (now.pidsLimit() > 0) {
                pids.put("limit", now.pidsLimit());
            }
        }
        ObjectNode blkio = json.putObject("blkio_stats");
        for (String key : BLKIO) {
            blkio.putNull(key);
        }
        if (!now.io().isEmpty()) {
            ArrayNode bytes = blkio.putArray("io_service_bytes_recursive");
            for (StatsSample.Io d : now.io()) {
                bytes.addObject().put("major", d.major()).put("minor", d.minor()).put("op", "read")
                        .put("value", d.readBytes());
                bytes.addObject().put("major", d.major()).put("minor", d.minor()).put("op", "write")
                        .put("value", d.writeBytes());
            }
        }
        json.put("num_procs", 0);
        json.putObject("storage_stats");
        json.set("cpu_stats", cpu(now.cpu()));
        json.set("precpu_stats", cpu(pre == null || !pre.running() ? StatsSample.Cpu.ZERO : pre.cpu()));
        ObjectNode memory = json.putObject("memory_stats");
        if (now.memory() != null) {
            memory.put("usage", now.memory().usage());
            ObjectNode stats = memory.putObject("stats");
            new TreeMap<>(now.memory().stats()).forEach(stats::put);
            memory.put("limit", now.memory().limit());
        }
        if (!now.networks().isEmpty()) {
            ObjectNode networks = json.putObject("networks");
            for (Map.Entry<String, StatsSample.Net> e : new TreeMap<>(now.networks()).entrySet()) {
                StatsSample.Net n = e.getValue();
                networks.putObject(e.getKey()).put("rx_bytes", n.rxBytes()).put("rx_packets", n.rxPackets())
                        .put("rx_errors", n.rxErrors()).put("rx_dropped", n.rxDropped())
                        .put("tx_bytes", n.txBytes()).put("tx_packets", n.txPackets())
                        .put("tx_errors", n.txErrors()).put("tx_dropped", n.txDropped());
            }
        }
        return json;
    }

    private static ObjectNode cpu(StatsSample.Cpu c) {
        ObjectNode cpu = Json.object();
        cpu.putObject("cpu_usage").put("total_usage", c.total()).put("usage_in_kernelmode", c.kernel())
                .put("usage_in_usermode", c.user());
        if (c.system() > 0) {
            cpu.put("system_cpu_usage", c.system());
        }
        if (c.onlineCpus() > 0) {
            cpu.put("online_cpus", c.onlineCpus());
        }
        cpu.putObject("throttling_data").put("periods", c.periods()).put("throttled_periods", c.throttledPeriods())
                .put("throttled_time", c.throttledTime());
        return cpu;
    }

    private static String time(StatsSample s) {
        return s == null || s.read() == null ? Json.time(null) : ArchiveRoutes.goTime(s.read());
    }
}
