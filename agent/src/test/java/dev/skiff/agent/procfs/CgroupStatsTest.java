package dev.skiff.agent.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.ListProcessesResponse;
import dev.skiff.agent.api.ProcessInfo;
import dev.skiff.agent.api.StatsResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CgroupStats} and {@link ProcessLister} over a made-up root holding a container's cgroup
 * and the /proc entries of its processes, as the guest kernel lays them out.
 */
class CgroupStatsTest {
    @TempDir
    Path root;

    private void write(String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private void cgroup() throws IOException {
        write("sys/fs/cgroup/skiff/c1/cpu.stat", "usage_usec 2000\nuser_usec 1500\nsystem_usec 500\nnr_periods 7\n"
                + "nr_throttled 2\nthrottled_usec 90\n");
        write("sys/fs/cgroup/skiff/c1/memory.current", "3145728\n");
        write("sys/fs/cgroup/skiff/c1/memory.max", "max\n");
        write("sys/fs/cgroup/skiff/c1/memory.stat", "anon 1048576\ninactive_file 4096\n");
        write("sys/fs/cgroup/skiff/c1/pids.current", "2\n");
        write("sys/fs/cgroup/skiff/c1/pids.max", "max\n");
        write("sys/fs/cgroup/skiff/c1/io.stat", "254:0 rbytes=512 wbytes=1024 rios=1 wios=2 dbytes=0 dios=0\n");
        write("sys/fs/cgroup/skiff/c1/cgroup.procs", "7\n9\n");
        write("sys/fs/cgroup/skiff/c1/inner/cgroup.procs", "12\n");
        write("proc/stat", ProcFilesTest.PROC_STAT);
        write("proc/meminfo", "MemTotal:        1000000 kB\nMemFree:          500000 kB\n");
        write("proc/uptime", "100.00 150.00\n");
        write("proc/7/net/dev", "h1\nh2\n  lo: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\neth0: 10 2 0 0 0 0 0 0 20 3 0 0 0 0 0 0\n");
        Files.createDirectories(root.resolve("proc/self/ns"));
        Files.createDirectories(root.resolve("proc/7/ns"));
        Files.createSymbolicLink(root.resolve("proc/self/ns/net"), Path.of("net:[4026531840]"));
        Files.createSymbolicLink(root.resolve("proc/7/ns/net"), Path.of("net:[4026532201]"));
    }

    @Test
    void statsFromTheCgroupAndTheNamespace() throws IOException {
        cgroup();
        StatsResponse s = new CgroupStats(root).read("/skiff/c1", 7);
        assertEquals(2000, s.getCpuUsageUsec());
        assertEquals(1500, s.getCpuUserUsec());
        assertEquals(500, s.getCpuSystemUsec());
        assertEquals(7, s.getCpuNrPeriods());
        assertEquals(2, s.getCpuNrThrottled());
        assertEquals(90, s.getCpuThrottledUsec());
        assertEquals(3145728, s.getMemoryBytes());
        assertEquals(1_024_000_000L, s.getMemoryLimitBytes(), "no limit: the VM's memory");
        assertEquals(1048576L, s.getMemoryStatMap().get("anon"));
        assertEquals(2, s.getPids());
        assertEquals(0, s.getPidsLimit(), "max");
        assertEquals(1, s.getIoCount());
        assertEquals(2, s.getOnlineCpus());
        assertTrue(s.getSystemCpuNanos() > 0);
        assertEquals(1, s.getNetworksCount());
        assertEquals("eth0", s.getNetworks(0).getName());
        assertEquals(20, s.getNetworks(0).getTxBytes());
    }

    @Test
    void aLimitBelowTheVmsMemoryIsTakenAndTheVmsNamespaceHasNoNetworks() throws IOException {
        cgroup();
        write("sys/fs/cgroup/skiff/c1/memory.max", "67108864\n");
        write("sys/fs/cgroup/skiff/c1/pids.max", "100\n");
        Files.delete(root.resolve("proc/7/ns/net"));
        Files.createSymbolicLink(root.resolve("proc/7/ns/net"), Path.of("net:[4026531840]"));
        StatsResponse s = new CgroupStats(root).read("/skiff/c1", 7);
        assertEquals(67108864, s.getMemoryLimitBytes());
        assertEquals(100, s.getPidsLimit());
        assertEquals(0, s.getNetworksCount(), "--network host: Docker reports no networks");
    }

    @Test
    void aMissingCgroupIsZeros() {
        StatsResponse s = new CgroupStats(root).read("/skiff/gone", 0);
        assertEquals(0, s.getCpuUsageUsec());
        assertEquals(0, s.getMemoryBytes());
        assertEquals(0, s.getNetworksCount());
    }

    @Test
    void processesOfTheCgroupAndItsChildrenInPidOrder() throws IOException {
        cgroup();
        // started 40 s after boot (uptime 100 s), 3 s of CPU, on pts/0
        write("proc/7/stat", "7 (sh) S 0 7 7 34816 7 0 0 0 0 0 250 50 0 0 20 0 1 0 4000 0 0");
        write("proc/7/status", "Name:\tsh\nUid:\t0\t0\t0\t0\n");
        write("proc/7/cmdline", "sh\0-c\0while true; do :; done\0");
        write("proc/9/stat", "9 (sleep) S 7 7 7 0 7 0 0 0 0 0 0 0 0 0 20 0 1 0 9000 0 0");
        write("proc/9/status", "Name:\tsleep\nUid:\t65534\t65534\t65534\t65534\n");
        write("proc/9/cmdline", "sleep\u0000600\u0000");
        // 12 exited between reading cgroup.procs and /proc: left out
        ListProcessesResponse list = new ProcessLister(root,
                pid -> "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:\n").list("/skiff/c1");
        assertEquals(2, list.getProcessesCount());
        ProcessInfo sh = list.getProcesses(0);
        assertEquals(7, sh.getPid());
        assertEquals(0, sh.getPpid());
        assertEquals("root", sh.getUser());
        assertEquals("pts/0", sh.getTty());
        assertEquals(3000, sh.getCpuMillis());
        assertEquals(60_000, sh.getElapsedMillis());
        assertEquals("sh -c while true; do :; done", sh.getCmd());
        ProcessInfo sleep = list.getProcesses(1);
        assertEquals(9, sleep.getPid());
        assertEquals(7, sleep.getPpid());
        assertEquals(65534, sleep.getUid());
        assertEquals("nobody", sleep.getUser());
        assertEquals("?", sleep.getTty());
        assertEquals("sleep 600", sleep.getCmd());
    }
}
