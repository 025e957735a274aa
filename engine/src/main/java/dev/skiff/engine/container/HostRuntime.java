package dev.skiff.engine.container;

import dev.skiff.agent.client.OciSpec;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.HostOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A container's {@link HostOptions} in the OCI runtime spec's terms, with moby's rules: its
 * capability arithmetic ({@code caps.TweakCapabilities}), tmpfs's default options merged with the
 * user's, ulimits over the default open-file limit, and {@code --cpus} as a CFS quota.
 */
public final class HostRuntime {
    /** moby's CFS period for --cpus (100 ms). */
    static final long CPU_PERIOD = 100_000;

    /** What every tmpfs gets unless its own options say otherwise (moby's tmpfs defaults). */
    static final List<String> TMPFS_DEFAULTS = List.of("noexec", "nosuid", "nodev");

    /** Flags that cancel each other: the later one given wins. */
    private static final Map<String, String> OPPOSITES = Map.ofEntries(Map.entry("exec", "noexec"),
            Map.entry("noexec", "exec"), Map.entry("suid", "nosuid"), Map.entry("nosuid", "suid"),
            Map.entry("dev", "nodev"), Map.entry("nodev", "dev"), Map.entry("rw", "ro"), Map.entry("ro", "rw"),
            Map.entry("atime", "noatime"), Map.entry("noatime", "atime"), Map.entry("diratime", "nodiratime"),
            Map.entry("nodiratime", "diratime"), Map.entry("sync", "async"), Map.entry("async", "sync"));

    private HostRuntime() {}

    /**
     * The process with the container's capabilities, limits, groups and no_new_privs (its exec
     * processes get the same, as in moby).
     */
    public static OciSpec.Process limits(OciSpec.Process p, HostOptions o) throws EngineException {
        return limits(p, o, List.of());
    }

    /** As {@link #limits(OciSpec.Process, HostOptions)}, with the user's own supplementary groups first. */
    public static OciSpec.Process limits(OciSpec.Process p, HostOptions o, List<Integer> userGroups)
            throws EngineException {
        List<Integer> groups = new ArrayList<>(userGroups);
        for (String g : o.privileges().groupAdd()) {
            try {
                int gid = Integer.parseInt(g);
                if (!groups.contains(gid)) {
                    groups.add(gid);
                }
            } catch (NumberFormatException e) {
                throw EngineException.invalid("--group-add " + g + ": Skiff takes numeric group ids only so far");
            }
        }
        return p.withLimits(capabilities(o), rlimits(o), new OciSpec.Privileges(groups,
                o.privileges().noNewPrivileges(), o.limits().oomScoreAdj()));
    }

    /**
     * Docker's default set, less CapDrop, plus CapAdd; "ALL" in CapAdd is every capability less
     * CapDrop, "ALL" in CapDrop is CapAdd alone; privileged is every capability.
     */
    static List<String> capabilities(HostOptions options) {
        HostOptions.Privileges o = options.privileges();
        if (o.privileged()) {
            return OciSpec.ALL_CAPABILITIES;
        }
        List<String> out = new ArrayList<>();
        if (o.capAdd().contains("ALL")) {
            OciSpec.ALL_CAPABILITIES.stream().filter(c -> !o.capDrop().contains(c)).forEach(out::add);
        } else if (o.capDrop().contains("ALL")) {
            out.addAll(o.capAdd());
        } else {
            OciSpec.DEFAULT_CAPABILITIES.stream().filter(c -> !o.capDrop().contains(c)).forEach(out::add);
            o.capAdd().stream().filter(c -> !out.contains(c)).forEach(out::add);
        }
        return List.copyOf(out);
    }

    /** The default open-file limit unless a ulimit names nofile, then every ulimit. */
    static List<OciSpec.Rlimit> rlimits(HostOptions o) {
        Map<String, OciSpec.Rlimit> byType = new LinkedHashMap<>();
        for (OciSpec.Rlimit r : OciSpec.DEFAULT_RLIMITS) {
            byType.put(r.type(), r);
        }
        for (HostOptions.Ulimit u : o.limits().ulimits()) {
            String type = "RLIMIT_" + u.name().toUpperCase(Locale.ROOT);
            byType.put(type, new OciSpec.Rlimit(type, u.soft(), u.hard()));
        }
        return List.copyOf(byType.values());
    }

    public static OciSpec.Runtime runtime(HostOptions o) {
        List<OciSpec.Tmpfs> tmpfs = new ArrayList<>();
        o.tmpfs().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> tmpfs.add(new OciSpec.Tmpfs(e.getKey(), tmpfsOptions(e.getValue()))));
        HostOptions.Limits l = o.limits();
        long quota = l.cpuQuota();
        long period = l.cpuPeriod();
        if (l.nanoCpus() > 0) {
            period = CPU_PERIOD;
            quota = Math.max(1000, l.nanoCpus() * CPU_PERIOD / 1_000_000_000L);
        }
        OciSpec.Resources resources = new OciSpec.Resources(l.memory(), quota, period, l.cpuShares(),
                Math.max(0, l.pidsLimit()), l.cpusetCpus());
        Set<String> vm = new HashSet<>();
        if (o.pidMode().equals("host")) {
            vm.add("pid");
        }
        if (o.ipcMode().equals("host")) {
            vm.add("ipc");
        }
        if (o.utsMode().equals("host")) {
            vm.add("uts");
        }
        return new OciSpec.Runtime(o.privileges().privileged(), o.readonlyRootfs(), tmpfs,
                o.shmSize() > 0 ? o.shmSize() : OciSpec.DEFAULT_SHM_BYTES, o.sysctls(), resources, o.init(), vm);
    }

    /** moby's MergeTmpfsOptions: the defaults, then the user's, a later flag cancelling its opposite and a later key=value its key. */
    static List<String> tmpfsOptions(String user) {
        List<String> out = new ArrayList<>(TMPFS_DEFAULTS);
        for (String raw : user.split(",")) {
            String opt = raw.strip();
            if (opt.isEmpty()) {
                continue;
            }
            int eq = opt.indexOf('=');
            if (eq > 0) {
                String key = opt.substring(0, eq + 1);
                out.removeIf(x -> x.startsWith(key));
            } else {
                out.remove(opt);
                String opposite = OPPOSITES.get(opt);
                if (opposite != null) {
                    out.remove(opposite);
                }
            }
            out.add(opt);
        }
        return List.copyOf(out);
    }
}
