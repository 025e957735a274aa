package dev.skiff.agent.client;

import dev.skiff.agent.api.GuestPaths;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

    /** The container's main process. */
    public record Process(List<String> args, List<String> env, String cwd, boolean terminal, int uid, int gid) {
        public Process {
            args = List.copyOf(args);
            env = List.copyOf(env);
            if (args.isEmpty()) {
                throw new IllegalArgumentException("a process needs at least one argument");
            }
            if (!cwd.startsWith("/")) {
                throw new IllegalArgumentException("cwd must be absolute: " + cwd);
            }
        }

        public static Process of(List<String> args) {
            return new Process(args, List.of(DEFAULT_PATH), "/", false, 0, 0);
        }

        public Process withTerminal(boolean tty) {
            return new Process(args, env, cwd, tty, uid, gid);
        }

        public Process withEnv(List<String> newEnv) {
            return new Process(args, newEnv, cwd, terminal, uid, gid);
        }

        /** The OCI "process" object on its own, for an exec. */
        public byte[] toJson() {
            return Json.write(toMap()).getBytes(StandardCharsets.UTF_8);
        }

        Map<String, Object> toMap() {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("terminal", terminal);
            p.put("user", Map.of("uid", uid, "gid", gid));
            p.put("args", args);
            p.put("env", env);
            p.put("cwd", cwd);
            Map<String, Object> caps = new LinkedHashMap<>();
            caps.put("bounding", DEFAULT_CAPABILITIES);
            caps.put("effective", DEFAULT_CAPABILITIES);
            caps.put("permitted", DEFAULT_CAPABILITIES);
            p.put("capabilities", caps);
            p.put("rlimits", List.of(Map.of("type", "RLIMIT_NOFILE", "hard", 1048576, "soft", 1048576)));
            p.put("noNewPrivileges", false);
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

    /** The config.json of container {@code id}, in a fresh network namespace with loopback only. */
    public static byte[] build(String id, String hostname, Process process, List<Bind> binds) {
        return build(id, hostname, process, binds, Network.ISOLATED);
    }

    /** The config.json of container {@code id}. */
    public static byte[] build(String id, String hostname, Process process, List<Bind> binds, Network network) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("ociVersion", "1.0.2");
        spec.put("process", process.toMap());
        spec.put("root", Map.of("path", GuestPaths.ROOTFS, "readonly", false));
        spec.put("hostname", hostname);
        List<Object> mounts = new ArrayList<>();
        mounts.add(mount("/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev")));
        mounts.add(mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")));
        mounts.add(mount("/dev/pts", "devpts", "devpts",
                List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
        mounts.add(mount("/dev/shm", "shm", "tmpfs", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")));
        mounts.add(mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")));
        mounts.add(mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")));
        mounts.add(mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
        for (Bind b : binds) {
            String source = GuestPaths.storage(b.storageId()) + (b.subpath().isEmpty() ? "" : "/" + b.subpath());
            mounts.add(mount(b.destination(), source, "bind",
                    List.of("rbind", "rprivate", b.readOnly() ? "ro" : "rw")));
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
        List<Map<String, String>> namespaces = new ArrayList<>(List.of(Map.of("type", "pid"), Map.of("type", "ipc"),
                Map.of("type", "uts"), Map.of("type", "mount"), Map.of("type", "cgroup")));
        if (network.netnsPath() != null) {
            namespaces.add(network.netnsPath().isEmpty() ? Map.of("type", "network")
                    : Map.of("type", "network", "path", network.netnsPath()));
        }
        linux.put("namespaces", namespaces);
        linux.put("maskedPaths", List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys",
                "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                "/sys/firmware", "/sys/devices/virtual/powercap"));
        linux.put("readonlyPaths", List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"));
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
