package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.agent.client.OciSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a container's HostConfig asks of its runtime besides mounts, networks and restarts:
 * capabilities and privilege, a read-only root, tmpfs mounts, /dev/shm's size, sysctls, ulimits,
 * {@code --init}, and cgroup limits. Checked at create with dockerd's words, so a request Skiff
 * would get wrong is refused rather than run differently; null in a record saved before these
 * existed, meaning Docker's defaults ({@link #DEFAULT}).
 *
 * @param tmpfs     destination to mount options, as HostConfig.Tmpfs and {@code --mount type=tmpfs}
 * @param shmSize   /dev/shm's size in bytes; 0 is Docker's default, 64 MiB
 * @param nanoCpus  CPUs in billionths ({@code --cpus}); exclusive with cpuQuota and cpuPeriod
 * @param pidsLimit 0 or less is unlimited
 */
public record HostOptions(List<String> capAdd, List<String> capDrop, boolean privileged, boolean readonlyRootfs,
                          Map<String, String> tmpfs, long shmSize, Map<String, String> sysctls, List<Ulimit> ulimits,
                          boolean init, long memory, long nanoCpus, long cpuShares, long cpuQuota, long cpuPeriod,
                          long pidsLimit, String cpusetCpus) {
    public static final HostOptions DEFAULT = new HostOptions(List.of(), List.of(), false, false, Map.of(), 0, Map.of(),
            List.of(), false, 0, 0, 0, 0, 0, 0, "");

    /** One {@code --ulimit NAME=SOFT:HARD}. */
    public record Ulimit(String name, long soft, long hard) {}

    /** The names {@code --ulimit} takes (go-units' ulimitNameMapping). */
    public static final Set<String> ULIMIT_NAMES = Set.of("core", "cpu", "data", "fsize", "locks", "memlock",
            "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack", "as");

    /** moby's lower bound for a memory limit (daemon_unix.go linuxMinMemory). */
    static final long MIN_MEMORY = 6L << 20;

    public HostOptions {
        capAdd = List.copyOf(capAdd);
        capDrop = List.copyOf(capDrop);
        tmpfs = Map.copyOf(tmpfs);
        sysctls = Map.copyOf(sysctls);
        ulimits = List.copyOf(ulimits);
        cpusetCpus = cpusetCpus == null ? "" : cpusetCpus;
    }

    /**
     * HostConfig's fields, with the tmpfs mounts HostConfig.Mounts asked for ({@code mountTmpfs}).
     *
     * @param networkMode the container's network mode: net.* sysctls are refused with "host", whose
     *                    namespace is the VM's, shared by the other containers in it
     */
    static HostOptions fromJson(JsonNode host, Map<String, String> mountTmpfs, String networkMode)
            throws EngineException {
        List<String> capAdd = normalizeCaps("CapAdd", Json.strings(host, "CapAdd"));
        List<String> capDrop = normalizeCaps("CapDrop", Json.strings(host, "CapDrop"));
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
        List<Ulimit> ulimits = ulimits(host.get("Ulimits"));
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
        if (nanoCpus < 0 || quota < 0 || period < 0 || Json.int64(host, "CpuShares") < 0) {
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
        return new HostOptions(capAdd, capDrop, Json.bool(host, "Privileged"), Json.bool(host, "ReadonlyRootfs"),
                tmpfs, shm, sysctls, ulimits, Json.bool(host, "Init"), memory, nanoCpus, Json.int64(host, "CpuShares"),
                quota, period, Json.int64(host, "PidsLimit"), Json.text(host, "CpusetCpus"));
    }

    /** moby's NormalizeLegacyCapabilities: upper case, "CAP_" added, "ALL" kept, an unknown name refused. */
    static List<String> normalizeCaps(String field, List<String> names) throws EngineException {
        List<String> out = new ArrayList<>();
        for (String raw : names == null ? List.<String>of() : names) {
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

    /** Its fields in an inspect's HostConfig, as dockerd writes them (empty lists and maps as null). */
    void writeTo(ObjectNode host) {
        host.set("CapAdd", capAdd.isEmpty() ? null : Json.array(capAdd));
        host.set("CapDrop", capDrop.isEmpty() ? null : Json.array(capDrop));
        host.put("Privileged", privileged).put("ReadonlyRootfs", readonlyRootfs)
                .put("ShmSize", shmSize == 0 ? OciSpec.DEFAULT_SHM_BYTES : shmSize);
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
        host.put("Memory", memory).put("NanoCpus", nanoCpus).put("CpuShares", cpuShares).put("CpuQuota", cpuQuota)
                .put("CpuPeriod", cpuPeriod).put("CpusetCpus", cpusetCpus);
        if (pidsLimit > 0) {
            host.put("PidsLimit", pidsLimit);
        } else {
            host.putNull("PidsLimit");
        }
        if (ulimits.isEmpty()) {
            host.putNull("Ulimits");
        } else {
            var arr = host.putArray("Ulimits");
            for (Ulimit u : ulimits) {
                arr.addObject().put("Name", u.name()).put("Hard", u.hard()).put("Soft", u.soft());
            }
        }
    }
}
