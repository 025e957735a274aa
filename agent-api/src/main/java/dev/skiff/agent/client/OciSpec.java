package dev.skiff.agent.client;

import dev.skiff.agent.api.GuestPaths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Builds the OCI runtime spec (config.json) of a container for the agent, with Docker's defaults:
 * its capability set, its masked and read-only paths, new pid, ipc, uts, mount, network and
 * cgroup namespaces, and the standard /proc, /dev, /sys mounts. The root is the rootfs the agent
 * assembles ({@link GuestPaths#ROOTFS}); bind mounts name a storage's guest path.
 */
public final class OciSpec {
    /** Docker's default capabilities (moby oci/caps/defaults.go). */
    public static final List<String> DEFAULT_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
            "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
            "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

    /** The environment a container gets when its image names none. */
    public static final String DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** A bind mount of a storage (or a folder inside it) into the container. */
    public record Bind(String storageId, String subpath, String destination, boolean readOnly) {
        public Bind {
            GuestPaths.checkId(storageId, "storage id");
            Objects.requireNonNull(subpath, "subpath");
            if (subpath.startsWith("/") || subpath.contains("..")) {
                throw new IllegalArgumentException("bind subpath must be relative and not contain '..': " + subpath);
            }
            if (!destination.startsWith("/")) {
                throw new IllegalArgumentException("bind destination must be absolute: " + destination);
            }
        }
    }

    /** Every capability of the guest's kernel (Linux 6.1: 0 to 40), for privileged containers and --cap-add ALL. */
    public static final List<String> ALL_CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH",
            "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
            "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
            "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
            "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
            "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
            "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
            "CAP_CHECKPOINT_RESTORE");

    /** A resource limit of a process (OCI's process.rlimits): {@code type} as RLIMIT_NOFILE. */
    public record Rlimit(String type, long soft, long hard) {
        public Rlimit {
            if (!type.matches("RLIMIT_[A-Z]+") || soft < 0 || hard < 0 || soft > hard) {
                throw new IllegalArgumentException("bad rlimit " + type + " " + soft + ":" + hard);
            }
        }
    }

    /** A process's supplementary groups, no_new_privs and OOM score adjustment (OCI's process fields). */
    public record Privileges(List<Integer> additionalGids, boolean noNewPrivileges, int oomScoreAdj) {
        public static final Privileges DEFAULT = new Privileges(List.of(), false, 0);

        public Privileges {
            additionalGids = List.copyOf(additionalGids);
        }
    }

    /** Docker's default: as many open files as the kernel allows a process (moby's default nofile). */
    public static final List<Rlimit> DEFAULT_RLIMITS = List.of(new Rlimit("RLIMIT_NOFILE", 1048576, 1048576));

    /**
     * The container's main process (or an exec's, which runs with its container's capabilities and
     * limits, as moby's execs do).
     */
    public record Process(List<String> args, List<String> env, String cwd, boolean terminal, int uid, int gid,
                          List<String> capabilities, List<Rlimit> rlimits, Privileges privileges) {
        public Process {
            args = List.copyOf(args);
            env = List.copyOf(env);
            capabilities = List.copyOf(capabilities);
            rlimits = List.copyOf(rlimits);
            privileges = privileges == null ? Privileges.DEFAULT : privileges;
            if (args.isEmpty()) {
                throw new IllegalArgumentException("a process needs at least one argument");
            }
            if (!cwd.startsWith("/")) {
                throw new IllegalArgumentException("cwd must be absolute: " + cwd);
            }
        }

        /** A process with Docker's default capabilities and limits. */
        public Process(List<String> args, List<String> env, String cwd, boolean terminal, int uid, int gid) {
            this(args, env, cwd, terminal, uid, gid, DEFAULT_CAPABILITIES, DEFAULT_RLIMITS, Privileges.DEFAULT);
        }

        public static Process of(List<String> args) {
            return new Process(args, List.of(DEFAULT_PATH), "/", false, 0, 0);
        }

        public Process withTerminal(boolean tty) {
            return new Process(args, env, cwd, tty, uid, gid, capabilities, rlimits, privileges);
        }

        public Process withEnv(List<String> newEnv) {
            return new Process(args, newEnv, cwd, terminal, uid, gid, capabilities, rlimits, privileges);
        }

        /**
         * The same process with these capabilities (bounding, effective and permitted), limits and
         * the rest of what decides what it may do.
         */
        public Process withLimits(List<String> caps, List<Rlimit> limits, Privileges more) {
            return new Process(args, env, cwd, terminal, uid, gid, caps, limits, more);
        }

        /** The same process under an init program: {@code init -- args}. */
        Process under(String init) {
            List<String> wrapped = new ArrayList<>(List.of(init, "--"));
            wrapped.addAll(args);
            return new Process(wrapped, env, cwd, terminal, uid, gid, capabilities, rlimits, privileges);
        }

        /** The OCI "process" object on its own, for an exec. */
        public byte[] toJson() {
            return Json.write(toMap()).getBytes(StandardCharsets.UTF_8);
        }

        Map<String, Object> toMap() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("terminal", terminal);
            Map<String, Object> user = new LinkedHashMap<>();
            user.put("uid", uid);
            user.put("gid", gid);
            if (!privileges.additionalGids().isEmpty()) {
                user.put("additionalGids", privileges.additionalGids());
            }
            p.put("user", user);
            p.put("args", args);
            p.put("env", env);
            p.put("cwd", cwd);
            Map<String, Object> caps = new LinkedHashMap<>();
            caps.put("bounding", capabilities);
            caps.put("effective", capabilities);
            caps.put("permitted", capabilities);
            p.put("capabilities", caps);
            List<Object> limits = new ArrayList<>();
            for (Rlimit r : rlimits) {
                Map<String, Object> l = new LinkedHashMap<>(); // in a fixed order: the same spec gives the same bytes
                l.put("type", r.type());
                l.put("hard", r.hard());
                l.put("soft", r.soft());
                limits.add(l);
            }
            p.put("rlimits", limits);
            p.put("noNewPrivileges", privileges.noNewPrivileges());
            if (privileges.oomScoreAdj() != 0) {
                p.put("oomScoreAdj", privileges.oomScoreAdj());
            }
            return p;
        }
    }

    private OciSpec() {}

    /**
     * The container's network: {@code netnsPath} the namespace the agent made for it
     * ({@link GuestPaths#netns}), or null for the VM's own namespace; {@code etcFiles} whether the
     * agent wrote its /etc/hosts, /etc/resolv.conf and /etc/hostname ({@link GuestPaths#etcFile}),
     * bind-mounted over the image's as Docker does.
     */
    public record Network(String netnsPath, boolean etcFiles, String etcOwner) {
        /** A namespace of its own that nothing configured: loopback only, the image's /etc. */
        public static final Network ISOLATED = new Network("", false);

        /** The container's own namespace or the VM's, with its own /etc files. */
        public Network(String netnsPath, boolean etcFiles) {
            this(netnsPath, etcFiles, "");
        }

        /**
         * Docker's {@code --network container:ID}: the other container's namespace (or the VM's,
         * null, when that one is in the VM's) and its /etc files.
         */
        public static Network joining(String otherId, String otherNetnsPath) {
            return new Network(otherNetnsPath, true, GuestPaths.checkId(otherId, "container id"));
        }
    }

    /** A tmpfs the container asks for (--tmpfs, --mount type=tmpfs), with its mount options. */
    public record Tmpfs(String destination, List<String> options) {
        public Tmpfs {
            options = List.copyOf(options);
            if (!destination.startsWith("/")) {
                throw new IllegalArgumentException("tmpfs destination must be absolute: " + destination);
            }
        }
    }

    /** cgroup limits (OCI's linux.resources); zero or "" leaves one unset. */
    public record Resources(long memoryBytes, long cpuQuota, long cpuPeriod, long cpuShares, long pidsLimit,
                            String cpusetCpus) {
        public static final Resources NONE = new Resources(0, 0, 0, 0, 0, "");

        Map<String, Object> toMap() {
            Map<String, Object> r = new LinkedHashMap<>();
            if (memoryBytes > 0) {
                r.put("memory", Map.of("limit", memoryBytes));
            }
            Map<String, Object> cpu = new LinkedHashMap<>();
            if (cpuShares > 0) {
                cpu.put("shares", cpuShares);
            }
            if (cpuQuota > 0) {
                cpu.put("quota", cpuQuota);
            }
            if (cpuPeriod > 0) {
                cpu.put("period", cpuPeriod);
            }
            if (!cpusetCpus.isEmpty()) {
                cpu.put("cpus", cpusetCpus);
            }
            if (!cpu.isEmpty()) {
                r.put("cpu", cpu);
            }
            if (pidsLimit > 0) {
                r.put("pids", Map.of("limit", pidsLimit));
            }
            return r;
        }
    }

    /** Docker's default /dev/shm: 64 MiB. */
    public static final long DEFAULT_SHM_BYTES = 64L << 20;

    /**
     * What the container's HostConfig asks of the runtime besides its process, mounts and network.
     *
     * @param privileged every capability (the process's), no masked or read-only /proc paths, /sys and
     *                   its cgroups writable, every device allowed by the device cgroup
     * @param init       run the process under {@link GuestPaths#DOCKER_INIT} (tini), bound in at
     *                   /sbin/docker-init as Docker does
     */
    public record Runtime(boolean privileged, boolean readonlyRoot, List<Tmpfs> tmpfs, long shmBytes,
                          Map<String, String> sysctl, Resources resources, boolean init, Set<String> vmNamespaces) {
        /** The namespaces the container may share with its VM instead of getting its own (--pid, --ipc, --uts host). */
        public static final Set<String> SHAREABLE = Set.of("pid", "ipc", "uts"); // before DEFAULT, which checks against it

        public static final Runtime DEFAULT = new Runtime(false, false, List.of(), DEFAULT_SHM_BYTES, Map.of(),
                Resources.NONE, false, Set.of());

        public Runtime {
            tmpfs = List.copyOf(tmpfs);
            sysctl = Map.copyOf(sysctl);
            vmNamespaces = Set.copyOf(vmNamespaces);
            if (!SHAREABLE.containsAll(vmNamespaces)) {
                throw new IllegalArgumentException("only " + SHAREABLE + " can be the VM's: " + vmNamespaces);
            }
            if (shmBytes <= 0) {
                throw new IllegalArgumentException("shm size must be positive: " + shmBytes);
            }
        }
    }

    /** Where Docker puts the init program in the container (--init). */
    public static final String INIT_DESTINATION = "/sbin/docker-init";

    /** The config.json of container {@code id}, in a fresh network namespace with loopback only. */
    public static byte[] build(String id, String hostname, Process process, List<Bind> binds) {
        return build(id, hostname, process, binds, Network.ISOLATED);
    }

    /** The config.json of container {@code id}, with Docker's defaults for the runtime. */
    public static byte[] build(String id, String hostname, Process process, List<Bind> binds, Network network) {
        return build(id, hostname, process, binds, network, Runtime.DEFAULT);
    }

    /** The config.json of container {@code id}. */
    public static byte[] build(String id, String hostname, Process process, List<Bind> binds, Network network,
                               Runtime runtime) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("ociVersion", "1.0.2");
        spec.put("process", (runtime.init() ? process.under(INIT_DESTINATION) : process).toMap());
        spec.put("root", Map.of("path", GuestPaths.ROOTFS, "readonly", runtime.readonlyRoot()));
        if (!runtime.vmNamespaces().contains("uts")) {
            spec.put("hostname", hostname); // the VM's own UTS namespace keeps the VM's name
        }
        String sysMode = runtime.privileged() ? "rw" : "ro";
        List<Object> mounts = new ArrayList<>();
        mounts.add(mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
        mounts.add(mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
        mounts.add(mount("/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
        mounts.add(mount("/dev/shm", "shm", "tmpfs",
                List.of("nosuid", "noexec", "nodev", "mode=1777", "size=" + runtime.shmBytes())));
        mounts.add(mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
        mounts.add(mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", sysMode)));
        mounts.add(mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", sysMode)));
        // The container's own mounts, shallowest first as moby sorts them, so that a bind inside a
        // tmpfs (or the reverse) lands on top of it whichever flag named it first.
        List<Map<String, Object>> own = new ArrayList<>();
        for (Bind b : binds) {
            String source = GuestPaths.storage(b.storageId()) + (b.subpath().isEmpty() ? "" : "/" + b.subpath());
            own.add(mount(b.destination(), source, "bind", List.of("rbind", "rprivate", b.readOnly() ? "ro" : "rw")));
        }
        for (Tmpfs t : runtime.tmpfs()) {
            own.add(mount(t.destination(), "tmpfs", "tmpfs", t.options()));
        }
        own.sort(java.util.Comparator.comparingLong(m -> ((String) m.get("destination")).chars()
                .filter(ch -> ch == '/').count()));
        mounts.addAll(own);
        if (runtime.init()) {
            mounts.add(mount(INIT_DESTINATION, GuestPaths.DOCKER_INIT, "bind", List.of("bind", "ro")));
        }
        if (network.etcFiles()) {
            for (String f : List.of("hosts", "resolv.conf", "hostname")) {
                String owner = network.etcOwner().isEmpty() ? id : network.etcOwner();
                mounts.add(mount("/etc/" + f, GuestPaths.etcFile(owner, f), "bind", List.of("rbind", "rprivate", "rw")));
            }
        }
        spec.put("mounts", mounts);
        Map<String, Object> linux = new LinkedHashMap<>();
        linux.put("cgroupsPath", GuestPaths.cgroupsPath(id));
        List<Map<String, String>> namespaces = new ArrayList<>();
        for (String type : List.of("pid", "ipc", "uts", "mount", "cgroup")) {
            if (!runtime.vmNamespaces().contains(type)) {
                namespaces.add(Map.of("type", type));
            }
        }
        if (network.netnsPath() != null) {
            namespaces.add(network.netnsPath().isEmpty() ? Map.of("type", "network")
                    : Map.of("type", "network", "path", network.netnsPath()));
        }
        linux.put("namespaces", namespaces);
        Map<String, Object> resources = runtime.resources().toMap();
        if (runtime.privileged()) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("allow", true);
            all.put("access", "rwm");
            resources.put("devices", List.of(all));
        } else {
            linux.put("maskedPaths", List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
                    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                    "/sys/firmware", "/sys/devices/virtual/powercap"));
            linux.put("readonlyPaths", List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));
        }
        if (!resources.isEmpty()) {
            linux.put("resources", resources);
        }
        if (!runtime.sysctl().isEmpty()) {
            linux.put("sysctl", new java.util.TreeMap<>(runtime.sysctl()));
        }
        spec.put("linux", linux);
        return Json.write(spec).getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> mount(String destination, String source, String type, List<String> options) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("destination", destination);
        m.put("type", type);
        m.put("source", source);
        m.put("options", options);
        return m;
    }
}
