package dev.skiff.agent.procfs;

import dev.skiff.agent.api.ListProcessesResponse;
import dev.skiff.agent.api.ProcessInfo;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.OpenFlags;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * docker top inside the VM: every process in a container's cgroup (and the cgroups below it), with
 * what ps -ef shows of each, from /proc. Pids are the VM's. User names come from the container's
 * own /etc/passwd (seen through its init's root), where dockerd's ps would use the host's.
 */
public final class ProcessLister {
    /** The most processes listed; a container with more is cut at this many, lowest pids first. */
    public static final int MAX_PROCESSES = 4096;
    /** The longest command line kept, in characters (ps cuts too). */
    public static final int MAX_COMMAND = 4096;
    /** How deep below the container's cgroup its own cgroups are looked for. */
    static final int MAX_DEPTH = 8;

    private final Path root;
    private final IntFunction<String> passwd;

    /**
     * @param root   "/" in the guest; a made-up tree in tests
     * @param passwd the /etc/passwd of the container a pid runs in ("" if it has none)
     */
    public ProcessLister(Path root, IntFunction<String> passwd) {
        this.root = root;
        this.passwd = passwd;
    }

    /** The guest's: /proc, and each container's /etc/passwd resolved inside its root. */
    public static ProcessLister inGuest() {
        return new ProcessLister(Path.of("/"), ProcessLister::passwdInRoot);
    }

    /** @param cgroup the container's cgroup, as its spec's linux.cgroupsPath names it ("/skiff/ID") */
    public ListProcessesResponse list(String cgroup) {
        TreeSet<Integer> pids = pids(root.resolve("sys/fs/cgroup").resolve(cgroup.replaceFirst("^/+", "")));
        long uptime = ProcFiles.uptimeMillis(CgroupStats.read(root.resolve("proc/uptime")));
        String users = null;
        ListProcessesResponse.Builder out = ListProcessesResponse.newBuilder();
        for (int pid : pids) {
            Path proc = root.resolve("proc/" + pid);
            ProcFiles.Stat stat = ProcFiles.stat(CgroupStats.read(proc.resolve("stat")));
            long uid = ProcFiles.realUid(CgroupStats.read(proc.resolve("status")));
            if (stat == null || uid < 0) {
                continue; // it exited meanwhile
            }
            if (users == null) {
                users = passwd.apply(pid);
            }
            String cmd = ProcFiles.command(cmdline(proc), stat.comm());
            long started = stat.starttime() * 1000 / ProcFiles.CLOCK_TICKS;
            out.addProcesses(ProcessInfo.newBuilder().setPid(pid).setPpid(stat.ppid()).setUid((int) uid)
                    .setUser(ProcFiles.userName(users, uid))
                    .setElapsedMillis(Math.max(0, uptime - started)).setCpuMillis(stat.cpuMillis())
                    .setTty(ProcFiles.ttyName(stat.ttyNr()))
                    .setCmd(cmd.length() > MAX_COMMAND ? cmd.substring(0, MAX_COMMAND) : cmd));
        }
        return out.build();
    }

    /** The pids in cgroup.procs of the folder and its cgroups below, at most {@link #MAX_PROCESSES}. */
    private static TreeSet<Integer> pids(Path cgroup) {
        TreeSet<Integer> pids = new TreeSet<>();
        try (Stream<Path> dirs = Files.walk(cgroup, MAX_DEPTH)) {
            for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                for (String line : CgroupStats.read(d.resolve("cgroup.procs")).split("\n")) {
                    try {
                        int pid = Integer.parseInt(line.trim());
                        if (pid > 0) {
                            pids.add(pid);
                        }
                    } catch (NumberFormatException e) {
                        // the empty last line
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // no cgroup (the container is gone): no processes
        }
        while (pids.size() > MAX_PROCESSES) {
            pids.pollLast();
        }
        return pids;
    }

    /**
     * /etc/passwd as the process sees it: opened with openat2 RESOLVE_IN_ROOT under its root, so
     * that a symlink the container made cannot send the agent to a file of the VM's.
     */
    static String passwdInRoot(int pid) {
        int rootFd = -1;
        int fd = -1;
        try {
            rootFd = Fds.openat2(Fds.AT_FDCWD, "/proc/" + pid + "/root", OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, 0);
            fd = Fds.openat2(rootFd, "etc/passwd", OpenFlags.O_RDONLY, 0,
                    Fds.RESOLVE_IN_ROOT | Fds.RESOLVE_NO_MAGICLINKS);
            return CgroupStats.read(Path.of(Fds.procPath(fd)));
        } catch (ErrnoException e) {
            return "";
        } finally {
            Fds.closeQuietly(fd);
            Fds.closeQuietly(rootFd);
        }
    }


    private static byte[] cmdline(Path proc) {
        try (var in = Files.newInputStream(proc.resolve("cmdline"))) {
            return in.readNBytes(MAX_COMMAND * 4);
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
