package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.engine.api.HostOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** HostConfig's runtime options as the config.json crun gets: moby's rules, checked field by field. */
class HostRuntimeTest {
    private static HostOptions options(List<String> add, List<String> drop, boolean privileged) {
        return new HostOptions(new HostOptions.Privileges(add, drop, privileged, false, List.of()), false, Map.of(), 0,
                Map.of(), false, HostOptions.Limits.NONE, "", "", "");
    }

    @Test
    void capabilitiesFollowMobysArithmetic() throws Exception {
        assertEquals(OciSpec.DEFAULT_CAPABILITIES, HostRuntime.capabilities(HostOptions.DEFAULT));
        List<String> tweaked = HostRuntime.capabilities(options(List.of("CAP_NET_ADMIN"), List.of("CAP_CHOWN"), false));
        assertTrue(tweaked.contains("CAP_NET_ADMIN") && !tweaked.contains("CAP_CHOWN"), tweaked.toString());
        assertEquals(OciSpec.DEFAULT_CAPABILITIES.size(), tweaked.size());
        assertEquals(List.of("CAP_KILL"), HostRuntime.capabilities(options(List.of("CAP_KILL"), List.of("ALL"), false)));
        List<String> all = HostRuntime.capabilities(options(List.of("ALL"), List.of("CAP_SYS_ADMIN"), false));
        assertEquals(OciSpec.ALL_CAPABILITIES.size() - 1, all.size());
        assertFalse(all.contains("CAP_SYS_ADMIN"));
        assertEquals(OciSpec.ALL_CAPABILITIES, HostRuntime.capabilities(options(List.of(), List.of("ALL"), true)));
        assertEquals(41, OciSpec.ALL_CAPABILITIES.size(), "Linux 6.1's capabilities, 0 to CAP_CHECKPOINT_RESTORE (40)");
    }

    @Test
    void tmpfsOptionsMergeOverDockersDefaults() {
        assertEquals(List.of("noexec", "nosuid", "nodev"), HostRuntime.tmpfsOptions(""));
        assertEquals(List.of("nosuid", "nodev", "size=1m", "exec"), HostRuntime.tmpfsOptions("size=1m,exec"));
        assertEquals(List.of("noexec", "nosuid", "nodev", "size=2m"), HostRuntime.tmpfsOptions("size=1m,size=2m"));
    }

    @Test
    void theSpecCarriesEveryOption() throws Exception {
        HostOptions o = new HostOptions(new HostOptions.Privileges(List.of("CAP_NET_ADMIN"), List.of(), false, true,
                List.of("27")), true, Map.of("/run", "size=1m", "/run/x", ""), 128L << 20,
                Map.of("net.ipv4.ip_forward", "1"), true, new HostOptions.Limits(64L << 20, 500_000_000L, 0, 0, 0, 50, "",
                List.of(new HostOptions.Ulimit("nofile", 1024, 2048), new HostOptions.Ulimit("nproc", 10, 20)), 300),
                "host", "", "host");
        OciSpec.Process p = HostRuntime.limits(OciSpec.Process.of(List.of("sh", "-c", "true")), o);
        List<OciSpec.Bind> binds = List.of(new OciSpec.Bind("s1", "", "/run/x/y", false), new OciSpec.Bind("s2", "", "/a", true));
        JsonNode spec = new ObjectMapper().readTree(OciSpec.build("c1", "h", p, binds, OciSpec.Network.ISOLATED,
                HostRuntime.runtime(o)));

        assertEquals("[\"/sbin/docker-init\",\"--\",\"sh\",\"-c\",\"true\"]", spec.at("/process/args").toString());
        assertTrue(spec.at("/process/capabilities/effective").toString().contains("CAP_NET_ADMIN"));
        assertEquals("[{\"type\":\"RLIMIT_NOFILE\",\"hard\":2048,\"soft\":1024},{\"type\":\"RLIMIT_NPROC\",\"hard\":20,\"soft\":10}]",
                spec.at("/process/rlimits").toString());
        assertTrue(spec.at("/root/readonly").asBoolean());
        List<String> order = new ArrayList<>();
        for (JsonNode m : spec.get("mounts")) {
            order.add(m.get("destination").asText());
            if (m.get("destination").asText().equals("/dev/shm")) {
                assertTrue(m.get("options").toString().contains("\"size=134217728\""), m.toString());
            }
        }
        // a bind inside a tmpfs is mounted after it, whatever the order they came in
        assertEquals(List.of("/a", "/run", "/run/x", "/run/x/y", "/sbin/docker-init"),
                order.subList(order.indexOf("/a"), order.size()));
        assertEquals(67108864L, spec.at("/linux/resources/memory/limit").asLong());
        assertEquals(50000L, spec.at("/linux/resources/cpu/quota").asLong());
        assertEquals(100000L, spec.at("/linux/resources/cpu/period").asLong());
        assertEquals(50L, spec.at("/linux/resources/pids/limit").asLong());
        assertEquals("1", spec.at("/linux/sysctl/net.ipv4.ip_forward").asText());
        assertTrue(spec.at("/linux/maskedPaths").size() > 0);
        assertEquals("[27]", spec.at("/process/user/additionalGids").toString());
        assertTrue(spec.at("/process/noNewPrivileges").asBoolean());
        assertEquals(300, spec.at("/process/oomScoreAdj").asInt());
        List<String> namespaces = new ArrayList<>();
        spec.at("/linux/namespaces").forEach(n -> namespaces.add(n.get("type").asText()));
        assertEquals(List.of("ipc", "mount", "cgroup", "network"), namespaces, "--pid host and --uts host: the VM's");
        assertTrue(spec.at("/hostname").isMissingNode(), "the VM's UTS namespace keeps its name");
    }

    @Test
    void aGroupNameIsRefusedUntilNamesAreLookedUp() {
        HostOptions o = new HostOptions(new HostOptions.Privileges(List.of(), List.of(), false, false, List.of("staff")),
                false, Map.of(), 0, Map.of(), false, HostOptions.Limits.NONE, "", "", "");
        assertThrows(dev.skiff.engine.api.EngineException.class, () -> HostRuntime.limits(OciSpec.Process.of(List.of("true")), o));
    }

    @Test
    void aPrivilegedContainerHasEveryCapabilityAndNoMaskedPaths() throws Exception {
        HostOptions o = options(List.of(), List.of(), true);
        JsonNode spec = new ObjectMapper().readTree(OciSpec.build("c1", "h",
                HostRuntime.limits(OciSpec.Process.of(List.of("true")), o), List.of(), OciSpec.Network.ISOLATED,
                HostRuntime.runtime(o)));
        assertEquals(41, spec.at("/process/capabilities/bounding").size());
        assertTrue(spec.at("/linux/maskedPaths").isMissingNode());
        assertEquals("[{\"allow\":true,\"access\":\"rwm\"}]", spec.at("/linux/resources/devices").toString());
        for (JsonNode m : spec.get("mounts")) {
            if (m.get("destination").asText().equals("/sys")) {
                assertTrue(m.get("options").toString().contains("\"rw\""), m.toString());
            }
        }
        JsonNode plain = new ObjectMapper().readTree(OciSpec.build("c1", "h", OciSpec.Process.of(List.of("true")),
                List.of()));
        assertFalse(plain.at("/root/readonly").asBoolean());
        assertTrue(plain.at("/linux/resources").isMissingNode(), "no limits unless asked");
    }
}
