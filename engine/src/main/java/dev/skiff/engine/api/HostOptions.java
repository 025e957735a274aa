package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.agent.client.OciSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a container's HostConfig asks of its runtime besides mounts, networks and restarts: its
 * privileges, its file systems, its limits and which of the VM's namespaces it shares. Checked at
 * create with dockerd's words, so that a request Skiff would get wrong is refused rather than run
 * differently; null in a record saved before these existed, meaning Docker's defaults
 * ({@link #DEFAULT}).
 *
 * @param tmpfs   destination to mount options, from HostConfig.Tmpfs and {@code --mount type=tmpfs}
 * @param shmSize /dev/shm's size in bytes; 0 is Docker's default, 64 MiB
 * @param pidMode "" or "host" (the VM's: under Skiff the host of a container is its VM); likewise
 *                ipcMode and utsMode
 */
public record HostOptions(Privileges privileges, boolean readonlyRootfs, Map<String, String> tmpfs, long shmSize,
                          Map<String, String> sysctls, boolean init, Limits limits, String pidMode, String ipcMode,
                          String utsMode) {
    public static final HostOptions DEFAULT = new HostOptions(Privileges.DEFAULT, false, Map.of(), 0, Map.of(), false,
            Limits.NONE, "", "", "");

    /**
     * Capabilities and what else decides what the process may do.
     *
     * @param capAdd   normalized names ("CAP_NET_ADMIN"), or "ALL"; likewise capDrop
     * @param groupAdd supplementary groups, as names or numbers (names are looked up in the image)
     */
    public record Privileges(List<String> capAdd, List<String> capDrop, boolean privileged, boolean noNewPrivileges,
                             List<String> groupAdd) {
        public static final Privileges DEFAULT = new Privileges(List.of(), List.of(), false, false, List.of());

        public Privileges {
            capAdd = List.copyOf(capAdd);
            capDrop = List.copyOf(capDrop);
            groupAdd = List.copyOf(groupAdd);
        }
    }

    /**
     * cgroup and process limits.
     *
     * @param nanoCpus  CPUs in billionths ({@code --cpus}); exclusive with cpuQuota and cpuPeriod
     * @param pidsLimit 0 or less is unlimited
     */
    public record Limits(long memory, long nanoCpus, long cpuShares, long cpuQuota, long cpuPeriod, long pidsLimit,
                         String cpusetCpus, List<Ulimit> ulimits, int oomScoreAdj) {
        public static final Limits NONE = new Limits(0, 0, 0, 0, 0, 0, "", List.of(), 0);

        public Limits {
            cpusetCpus = cpusetCpus == null ? "" : cpusetCpus;
            ulimits = List.copyOf(ulimits);
        }

        /** Only a memory limit (tests, and a reading aid). */
        public static Limits memory(long bytes) {
            return new Limits(bytes, 0, 0, 0, 0, 0, "", List.of(), 0);
        }
    }

    /** One {@code --ulimit NAME=SOFT:HARD}. */
    public record Ulimit(String name, long soft, long hard) {}

    /** The names {@code --ulimit} takes (go-units' ulimitNameMapping). */
    public static final Set<String> ULIMIT_NAMES = Set.of("core", "cpu", "data", "fsize", "locks", "memlock",
            "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack", "as");

    /** moby's lower bound for a memory limit (daemon_unix.go linuxMinMemory). */
    static final long MIN_MEMORY = 6L << 20;

    public HostOptions {
        privileges = privileges == null ? Privileges.DEFAULT : privileges;
        tmpfs = Map.copyOf(tmpfs);
        sysctls = Map.copyOf(sysctls);
        limits = limits == null ? Limits.NONE : limits;
        pidMode = pidMode == null ? "" : pidMode;
        ipcMode = ipcMode == null ? "" : ipcMode;
        utsMode = utsMode == null ? "" : utsMode;
    }

    /**
     * HostConfig's fields, with the tmpfs mounts HostConfig.Mounts asked for ({@code mountTmpfs}).
     *
     * @param networkMode the container's network mode: net.* sysctls are refused with "host", whose
     *                    namespace is the VM's, shared by the other containers in it
     */
    static HostOptions fromJson(JsonNode host, Map<String, String> mountTmpfs, String networkMode)
            throws EngineException {
        refuseWhatCannotWork(host);
        Privileges privileges = privileges(host); // SecurityOpt's seccomp refusal comes before the other checks
        Map<String, String> tmpfs = new LinkedHashMap<>(Json.stringMap(host, "Tmpfs"));
        for (var e : mountTmpfs.entrySet()) {
            if (tmpfs.putIfAbsent(e.getKey(), e.getValue()) != null) {
                throw EngineException.invalid("Duplicate mount point: " + e.getKey());
            }
        }
        for (String destination : tmpfs.keySet()) {
            if (!destination.startsWith("/")) {
                throw EngineException.invalid("invalid mount config for type \"tmpfs\": invalid mount path: '"
                        + destination + "' mount path must be absolute");
            }
            if (destination.equals("/")) {
                throw EngineException.invalid("invalid specification: destination can't be '/'");
            }
        }
        long shm = Json.int64(host, "ShmSize");
        if (shm < 0) {
            throw EngineException.invalid("SHM size can not be less than 0");
        }
        Map<String, String> sysctls = Json.stringMap(host, "Sysctls");
        for (String key : sysctls.keySet()) {
            if (networkMode.equals("host") && key.startsWith("net.")) {
                throw EngineException.invalid("sysctl '" + key + "' not allowed in host network namespace");
            }
        }
        String uts = namespaceMode(host, "UTSMode");
        if (uts.equals("host") && !Json.text(host, "Hostname").isEmpty()) {
            throw EngineException.invalid("Conflicting options: hostname and the UTS mode");
        }
        return new HostOptions(privileges, Json.bool(host, "ReadonlyRootfs"), tmpfs, shm, sysctls,
                Json.bool(host, "Init"), limits(host), namespaceMode(host, "PidMode"), namespaceMode(host, "IpcMode"), uts);
    }

    /**
     * {@code --mount type=tmpfs,destination=D[,tmpfs-size=N][,tmpfs-mode=M]}: its TmpfsOptions as
     * tmpfs's own mount options, beside HostConfig.Tmpfs's.
     */
    static void tmpfsMount(JsonNode mount, Map<String, String> tmpfs) throws EngineException {
        String target = Json.text(mount, "Target");
        if (!Json.text(mount, "Source").isEmpty()) {
            throw EngineException.invalid("invalid mount config for type \"tmpfs\": field Source must not be specified");
        }
        if (!target.startsWith("/")) {
            throw EngineException.invalid("invalid mount config for type \"tmpfs\": invalid mount path: '" + target
                    + "' mount path must be absolute");
        }
        JsonNode o = Json.child(mount, "TmpfsOptions");
        List<String> options = new ArrayList<>();
        if (Json.bool(mount, "ReadOnly")) {
            options.add("ro");
        }
        long size = Json.int64(o, "SizeBytes");
        if (size < 0) {
            throw EngineException.invalid("invalid mount config for type \"tmpfs\": SizeBytes must not be negative");
        }
        if (size > 0) {
            options.add("size=" + size);
        }
        Integer mode = Json.integer(o, "Mode");
        if (mode != null && mode != 0) {
            if (mode < 0 || mode > 07777) {
                throw EngineException.invalid("invalid mount config for type \"tmpfs\": bad Mode " + mode);
            }
            options.add("mode=" + Integer.toOctalString(mode));
        }
        if (tmpfs.put(target, String.join(",", options)) != null) {
            throw EngineException.invalid("Duplicate mount point: " + target);
        }
    }

    /**
     * What a VM cannot give a container, said instead of ignored: the host's devices (the VM has
     * its own) and GPUs. (A seccomp profile of the user's is refused with the other security
     * options, in {@link #privileges}: Skiff applies none, a container being isolated by its VM.)
     */
    private static void refuseWhatCannotWork(JsonNode host) throws EngineException {
        JsonNode devices = host.get("Devices");
        if (devices != null && devices.isArray() && !devices.isEmpty()) {
            throw EngineException.invalid("--device is not supported by Skiff: the container runs in a VM, which has "
                    + "none of the host's devices");
        }
        JsonNode requests = host.get("DeviceRequests");
        if (requests != null && requests.isArray() && !requests.isEmpty()) {
            throw EngineException.invalid("--gpus and device requests are not supported by Skiff: the container runs "
                    + "in a VM, which has none of the host's devices");
        }
    }

    private static Privileges privileges(JsonNode host) throws EngineException {
        boolean noNewPrivileges = false;
        for (String opt : orEmpty(Json.strings(host, "SecurityOpt"))) {
            if (opt.startsWith("seccomp") && !opt.matches("seccomp[=:]unconfined")) {
                throw EngineException.invalid("--security-opt " + (opt.length() > 40 ? opt.substring(0, 40) + "..." : opt)
                        + ": Skiff applies no seccomp profile (the container's VM isolates it); drop the option or use "
                        + "seccomp=unconfined");
            }
            String o = opt.replace(':', '=');
            if (o.equals("no-new-privileges") || o.equals("no-new-privileges=true")) {
                noNewPrivileges = true;
            } else if (o.equals("no-new-privileges=false")) {
                noNewPrivileges = false;
            } else if (!o.startsWith("seccomp=") && !o.startsWith("apparmor=") && !o.startsWith("label=")
                    && !o.startsWith("systempaths=")) {
                throw EngineException.invalid("Invalid --security-opt: \"" + opt + "\"");
            }
        }
        List<String> groups = orEmpty(Json.strings(host, "GroupAdd"));
        for (String g : groups) {
            if (g.isBlank() || g.contains(":") || g.contains("\n")) {
                throw EngineException.invalid("invalid group in GroupAdd: \"" + g + "\"");
            }
        }
        return new Privileges(normalizeCaps("CapAdd", Json.strings(host, "CapAdd")),
                normalizeCaps("CapDrop", Json.strings(host, "CapDrop")), Json.bool(host, "Privileged"), noNewPrivileges,
                groups);
    }

    private static Limits limits(JsonNode host) throws EngineException {
        long memory = Json.int64(host, "Memory");
        if (memory > 0 && memory < MIN_MEMORY) {
            throw EngineException.invalid("Minimum memory limit allowed is 6MB");
        }
        if (memory < 0) {
            throw EngineException.invalid("Memory must not be negative");
        }
        long nanoCpus = Json.int64(host, "NanoCpus");
        long quota = Json.int64(host, "CpuQuota");
        long period = Json.int64(host, "CpuPeriod");
        long shares = Json.int64(host, "CpuShares");
        if (nanoCpus < 0 || quota < 0 || period < 0 || shares < 0) {
            throw EngineException.invalid("CPU limits must not be negative");
        }
        if (nanoCpus > 0 && period > 0) {
            throw EngineException.invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }
        if (nanoCpus > 0 && quota > 0) {
            throw EngineException.invalid("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
        }
        if (period != 0 && (period < 1000 || period > 1000000)) {
            throw EngineException.invalid("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
        }
        if (quota != 0 && quota < 1000) {
            throw EngineException.invalid("CPU cfs quota can not be less than 1ms (i.e. 1000)");
        }
        long oom = Json.int64(host, "OomScoreAdj");
        if (oom < -1000 || oom > 1000) {
            throw EngineException.invalid("Invalid value " + oom + ", range for oom score adj is [-1000, 1000]");
        }
        return new Limits(memory, nanoCpus, shares, quota, period, Json.int64(host, "PidsLimit"),
                Json.text(host, "CpusetCpus"), ulimits(host.get("Ulimits")), (int) oom);
    }

    /** PidMode, IpcMode, UTSMode: Docker's defaults, or the VM's own namespace ("host"); joining another's is refused. */
    private static String namespaceMode(JsonNode host, String field) throws EngineException {
        String mode = Json.text(host, field);
        return switch (mode) {
            case "", "host" -> mode;
            case "private", "shareable" -> field.equals("IpcMode") ? "" : refuseMode(field, mode);
            default -> refuseMode(field, mode);
        };
    }

    private static String refuseMode(String field, String mode) throws EngineException {
        throw EngineException.invalid(field + " \"" + mode + "\" is not supported by Skiff: a container has its own "
                + "namespace or, with \"host\", its VM's");
    }

    /** moby's NormalizeLegacyCapabilities: upper case, "CAP_" added, "ALL" kept, an unknown name refused. */
    static List<String> normalizeCaps(String field, List<String> names) throws EngineException {
        List<String> out = new ArrayList<>();
        for (String raw : orEmpty(names)) {
            String c = raw.strip().toUpperCase(Locale.ROOT);
            if (!c.equals("ALL")) {
                c = c.startsWith("CAP_") ? c : "CAP_" + c;
                if (!OciSpec.ALL_CAPABILITIES.contains(c)) {
                    throw EngineException.invalid("invalid " + field + ": unknown capability: \"" + c + "\"");
                }
            }
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    private static List<Ulimit> ulimits(JsonNode list) throws EngineException {
        List<Ulimit> out = new ArrayList<>();
        if (list == null || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw EngineException.invalid("Ulimits must be a list");
        }
        for (JsonNode u : list) {
            if (!u.isObject()) {
                throw EngineException.invalid("Ulimits entries must be objects");
            }
            String name = Json.text(u, "Name");
            if (!ULIMIT_NAMES.contains(name)) {
                throw EngineException.invalid("invalid ulimit type: " + name);
            }
            long soft = Json.int64(u, "Soft");
            long hard = Json.int64(u, "Hard");
            if (soft > hard) {
                throw EngineException.invalid("ulimit soft limit must be less than or equal to hard limit: "
                        + soft + " > " + hard);
            }
            if (out.stream().anyMatch(o -> o.name().equals(name))) {
                throw EngineException.invalid("ulimit " + name + " given twice");
            }
            out.add(new Ulimit(name, soft, hard));
        }
        return out;
    }

    private static List<String> orEmpty(List<String> list) {
        return list == null ? List.of() : list;
    }

    /** Its fields in an inspect's HostConfig, as dockerd writes them (empty lists as null). */
    void writeTo(ObjectNode host) {
        Privileges p = privileges;
        host.set("CapAdd", p.capAdd().isEmpty() ? null : Json.array(p.capAdd()));
        host.set("CapDrop", p.capDrop().isEmpty() ? null : Json.array(p.capDrop()));
        host.set("GroupAdd", p.groupAdd().isEmpty() ? null : Json.array(p.groupAdd()));
        host.set("SecurityOpt", p.noNewPrivileges() ? Json.array(List.of("no-new-privileges")) : null);
        host.put("Privileged", p.privileged()).put("ReadonlyRootfs", readonlyRootfs)
                .put("ShmSize", shmSize == 0 ? OciSpec.DEFAULT_SHM_BYTES : shmSize)
                .put("PidMode", pidMode).put("IpcMode", ipcMode.isEmpty() ? "private" : ipcMode).put("UTSMode", utsMode);
        if (!tmpfs.isEmpty()) {
            host.set("Tmpfs", Json.object(tmpfs));
        }
        if (!sysctls.isEmpty()) {
            host.set("Sysctls", Json.object(sysctls));
        }
        if (init) {
            host.put("Init", true);
        } else {
            host.putNull("Init");
        }
        Limits l = limits;
        host.put("Memory", l.memory()).put("NanoCpus", l.nanoCpus()).put("CpuShares", l.cpuShares())
                .put("CpuQuota", l.cpuQuota()).put("CpuPeriod", l.cpuPeriod()).put("CpusetCpus", l.cpusetCpus())
                .put("OomScoreAdj", l.oomScoreAdj());
        if (l.pidsLimit() > 0) {
            host.put("PidsLimit", l.pidsLimit());
        } else {
            host.putNull("PidsLimit");
        }
        if (l.ulimits().isEmpty()) {
            host.putNull("Ulimits");
        } else {
            ArrayNode arr = host.putArray("Ulimits");
            for (Ulimit u : l.ulimits()) {
                arr.addObject().put("Name", u.name()).put("Hard", u.hard()).put("Soft", u.soft());
            }
        }
    }
}
