package dev.skiff.agent.procfs;

import dev.skiff.agent.api.StatsResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * docker stats inside the VM: a container's cgroup v2 counters, the VM's CPU time, and the
 * counters of the interfaces in its network namespace (read through its init's /proc entry).
 * The memory limit of a container without one is the VM's memory, as dockerd reports the host's.
 */
public final class CgroupStats {
    /** The most bytes read from one file; a cgroup or /proc file is far smaller. */
    static final int MAX_FILE = 256 * 1024;

    private final Path root;

    /** @param root "/" in the guest; a made-up tree in tests */
    public CgroupStats(Path root) {
        this.root = root;
    }

    /**
     * @param cgroup the container's cgroup, as its spec's linux.cgroupsPath names it ("/skiff/ID")
     * @param initPid its init's pid, for its network namespace; 0 when it has none running
     */
    public StatsResponse read(String cgroup, int initPid) {
        Path dir = root.resolve("sys/fs/cgroup").resolve(cgroup.replaceFirst("^/+", ""));
        Map<String, Long> cpu = ProcFiles.keyValues(read(dir.resolve("cpu.stat")));
        String procStat = read(root.resolve("proc/stat"));
        StatsResponse.Builder b = StatsResponse.newBuilder()
                .setCpuUsageUsec(cpu.getOrDefault("usage_usec", 0L))
                .setCpuUserUsec(cpu.getOrDefault("user_usec", 0L))
                .setCpuSystemUsec(cpu.getOrDefault("system_usec", 0L))
                .setCpuNrPeriods(cpu.getOrDefault("nr_periods", 0L))
                .setCpuNrThrottled(cpu.getOrDefault("nr_throttled", 0L))
                .setCpuThrottledUsec(cpu.getOrDefault("throttled_usec", 0L))
                .setSystemCpuNanos(ProcFiles.systemCpuNanos(procStat))
                .setOnlineCpus(ProcFiles.onlineCpus(procStat))
                .setMemoryBytes(Math.max(0, ProcFiles.single(read(dir.resolve("memory.current")))))
                .putAllMemoryStat(ProcFiles.keyValues(read(dir.resolve("memory.stat"))))
                .setPids(Math.max(0, ProcFiles.single(read(dir.resolve("pids.current")))))
                .setPidsLimit(Math.max(0, ProcFiles.single(read(dir.resolve("pids.max")))))
                .addAllIo(ProcFiles.ioStat(read(dir.resolve("io.stat"))));
        long memoryMax = ProcFiles.single(read(dir.resolve("memory.max")));
        long vmMemory = vmMemory();
        b.setMemoryLimitBytes(memoryMax <= 0 || (vmMemory > 0 && memoryMax > vmMemory) ? vmMemory : memoryMax);
        if (initPid > 0 && !inVmNamespace(initPid)) {
            b.addAllNetworks(ProcFiles.netDev(read(root.resolve("proc/" + initPid + "/net/dev"))));
        }
        return b.build();
    }

    /** MemTotal of /proc/meminfo, in bytes. */
    private long vmMemory() {
        for (String line : read(root.resolve("proc/meminfo")).split("\n")) {
            if (line.startsWith("MemTotal:")) {
                String[] f = line.substring("MemTotal:".length()).trim().split("\\s+");
                long kib = ProcFiles.single(f[0]);
                return Math.max(0, kib) * 1024;
            }
        }
        return 0;
    }

    /** Whether the process shares the agent's network namespace (docker's --network host under Skiff). */
    private boolean inVmNamespace(int pid) {
        try {
            return Files.readSymbolicLink(root.resolve("proc/self/ns/net"))
                    .equals(Files.readSymbolicLink(root.resolve("proc/" + pid + "/ns/net")));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A file's text, at most {@link #MAX_FILE} bytes; "" if it cannot be read. */
    static String read(Path file) {
        try (var in = Files.newInputStream(file)) {
            return new String(in.readNBytes(MAX_FILE), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
