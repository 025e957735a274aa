package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.Backend.BindMount;
import dev.skiff.engine.api.Backend.ContainerState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Docker's container JSON details that the CLI shows: -v syntax, names, the ps STATUS wording. */
class ContainerJsonTest {
    @Test
    void bindSyntax() throws EngineException {
        assertEquals(new BindMount("/h", "/c", false, true), ContainerJson.bind("/h:/c"));
        assertEquals(new BindMount("/h", "/c", true, true), ContainerJson.bind("/h:/c:ro,z"));
        assertEquals(BindMount.volume("vol", "/c", false, false), ContainerJson.bind("vol:/c"));
        assertEquals(BindMount.volume("vol", "/c", true, true), ContainerJson.bind("vol:/c:ro,nocopy"));
        assertEquals(400, assertThrows(EngineException.class, () -> ContainerJson.bind("./rel:/c")).kind().httpStatus);
        assertThrows(EngineException.class, () -> ContainerJson.bind("a/b:/c"));
        assertThrows(EngineException.class, () -> ContainerJson.bind("/h:c"));
        assertThrows(EngineException.class, () -> ContainerJson.bind("/h:/c:xx"));
        assertThrows(EngineException.class, () -> ContainerJson.bind("/h"));
    }

    @Test
    void volumesFromMountsAndConfigVolumes() throws EngineException {
        Backend.CreateSpec spec = ContainerJson.createSpec(Json.MAPPER.valueToTree(Map.of("Image", "busybox",
                "Volumes", Map.of("/anon", Map.of(), "/named", Map.of()),
                "HostConfig", Map.of("Binds", List.of("named:/named"), "Mounts", List.of(Map.of("Type", "volume",
                        "Source", "m", "Target", "/m", "ReadOnly", true, "VolumeOptions", Map.of("NoCopy", true)))))));
        assertEquals(List.of(BindMount.volume("named", "/named", false, false), BindMount.volume("m", "/m", true, true),
                BindMount.volume("", "/anon", false, false)), spec.binds());
        assertThrows(EngineException.class, () -> ContainerJson.createSpec(Json.MAPPER.valueToTree(Map.of("Image",
                "busybox", "HostConfig", Map.of("Mounts", List.of(Map.of("Type", "npipe", "Target", "/t")))))));
    }

    private static Backend.CreateSpec create(Map<String, Object> hostConfig) throws EngineException {
        return ContainerJson.createSpec(Json.MAPPER.valueToTree(Map.of("Image", "busybox", "HostConfig", hostConfig)));
    }

    private static String refusal(Map<String, Object> hostConfig) {
        EngineException e = assertThrows(EngineException.class, () -> create(hostConfig));
        assertEquals(400, e.kind().httpStatus, e.getMessage());
        return e.getMessage();
    }

    /** What docker run's runtime flags send (--cap-add, --read-only, --tmpfs, --mount type=tmpfs, --ulimit, -m, --cpus ...). */
    @Test
    void hostOptionsAreTakenAndShownByInspect() throws EngineException {
        Map<String, Object> host = new java.util.LinkedHashMap<>();
        host.put("CapAdd", List.of("net_admin", "CAP_SYS_TIME"));
        host.put("CapDrop", List.of("chown"));
        host.put("ReadonlyRootfs", true);
        host.put("Tmpfs", Map.of("/run", "size=1m,exec"));
        host.put("Mounts", List.of(Map.of("Type", "tmpfs", "Target", "/m",
                "TmpfsOptions", Map.of("SizeBytes", 2097152, "Mode", 0700))));
        host.put("ShmSize", 134217728L);
        host.put("Sysctls", Map.of("net.ipv4.ip_forward", "1"));
        host.put("Ulimits", List.of(Map.of("Name", "nofile", "Soft", 1024, "Hard", 2048)));
        host.put("Init", true);
        host.put("Memory", 67108864L);
        host.put("NanoCpus", 500000000L);
        host.put("PidsLimit", 50);
        host.put("GroupAdd", List.of("27"));
        host.put("SecurityOpt", List.of("no-new-privileges", "seccomp=unconfined", "apparmor=unconfined"));
        host.put("OomScoreAdj", -500);
        host.put("PidMode", "host");
        HostOptions o = create(host).hostOptions();
        assertEquals(List.of("CAP_NET_ADMIN", "CAP_SYS_TIME"), o.privileges().capAdd());
        assertEquals(List.of("CAP_CHOWN"), o.privileges().capDrop());
        assertEquals(List.of("27"), o.privileges().groupAdd());
        assertEquals(true, o.privileges().noNewPrivileges());
        assertEquals("host", o.pidMode());
        assertEquals(-500, o.limits().oomScoreAdj());
        assertEquals(Map.of("/run", "size=1m,exec", "/m", "size=2097152,mode=700"), o.tmpfs());
        assertEquals(List.of(new HostOptions.Ulimit("nofile", 1024, 2048)), o.limits().ulimits());
        assertEquals(true, o.readonlyRootfs() && o.init());
        assertEquals(134217728L, o.shmSize());

        var inspect = Json.object();
        o.writeTo(inspect);
        assertEquals("[\"CAP_NET_ADMIN\",\"CAP_SYS_TIME\"]", inspect.get("CapAdd").toString());
        assertEquals(true, inspect.get("ReadonlyRootfs").asBoolean());
        assertEquals(500000000L, inspect.get("NanoCpus").asLong());
        assertEquals(50, inspect.get("PidsLimit").asInt());
        assertEquals("size=1m,exec", inspect.get("Tmpfs").get("/run").asText());
        assertEquals(1024, inspect.get("Ulimits").get(0).get("Soft").asInt());
        var defaults = Json.object();
        HostOptions.DEFAULT.writeTo(defaults);
        assertEquals(67108864L, defaults.get("ShmSize").asLong(), "Docker's default /dev/shm");
        assertEquals(true, defaults.get("CapAdd").isNull());
        assertEquals(true, defaults.get("Init").isNull());
        assertEquals(HostOptions.DEFAULT, create(Map.of()).hostOptions());
    }

    @Test
    void badHostOptionsAreRefusedInDockerdsWords() {
        assertEquals("invalid CapAdd: unknown capability: \"CAP_FLY\"", refusal(Map.of("CapAdd", List.of("fly"))));
        assertEquals("invalid ulimit type: files", refusal(Map.of("Ulimits", List.of(Map.of("Name", "files",
                "Soft", 1, "Hard", 1)))));
        refusal(Map.of("Ulimits", List.of(Map.of("Name", "nofile", "Soft", 10, "Hard", 1))));
        assertEquals("Minimum memory limit allowed is 6MB", refusal(Map.of("Memory", 1024)));
        refusal(Map.of("NanoCpus", 1000000000L, "CpuPeriod", 100000));
        refusal(Map.of("ShmSize", -1));
        refusal(Map.of("Tmpfs", Map.of("rel", "")));
        refusal(Map.of("Tmpfs", Map.of("/", "")));
        assertEquals("Duplicate mount point: /t", refusal(Map.of("Tmpfs", Map.of("/t", ""),
                "Binds", List.of("/h:/t"))));
        assertEquals("sysctl 'net.ipv4.ip_forward' not allowed in host network namespace",
                refusal(Map.of("NetworkMode", "host", "Sysctls", Map.of("net.ipv4.ip_forward", "1"))));
        refusal(Map.of("Mounts", List.of(Map.of("Type", "tmpfs", "Source", "/x", "Target", "/t"))));
        assertTrue(refusal(Map.of("Devices", List.of(Map.of("PathOnHost", "/dev/fuse", "PathInContainer", "/dev/fuse",
                "CgroupPermissions", "rwm")))).startsWith("--device is not supported by Skiff"));
        assertTrue(refusal(Map.of("SecurityOpt", List.of("seccomp={\"defaultAction\":\"SCMP_ACT_ERRNO\"}")))
                .contains("Skiff applies no seccomp profile"));
        assertEquals("Invalid --security-opt: \"bogus\"", refusal(Map.of("SecurityOpt", List.of("bogus"))));
        refusal(Map.of("PidMode", "container:abc"));
        refusal(Map.of("OomScoreAdj", 1001));
    }

    @Test
    void restartPolicies() throws EngineException {
        assertEquals(new Backend.RestartPolicy("on-failure", 3), ContainerJson.restartPolicy(Json.MAPPER.valueToTree(
                Map.of("RestartPolicy", Map.of("Name", "on-failure", "MaximumRetryCount", 3)))));
        assertEquals(Backend.RestartPolicy.NO, ContainerJson.restartPolicy(Json.MAPPER.valueToTree(Map.of())));
        assertThrows(EngineException.class, () -> ContainerJson.restartPolicy(Json.MAPPER.valueToTree(
                Map.of("RestartPolicy", Map.of("Name", "sometimes")))));
        assertThrows(EngineException.class, () -> ContainerJson.restartPolicy(Json.MAPPER.valueToTree(
                Map.of("RestartPolicy", Map.of("Name", "always", "MaximumRetryCount", 2)))));
        assertThrows(EngineException.class, () -> ContainerJson.createSpec(Json.MAPPER.valueToTree(Map.of("Image",
                "busybox", "HostConfig", Map.of("AutoRemove", true, "RestartPolicy", Map.of("Name", "always"))))));
    }

    @Test
    void names() throws EngineException {
        assertEquals("web", ContainerJson.name("/web"));
        assertEquals(null, ContainerJson.name(""));
        assertThrows(EngineException.class, () -> ContainerJson.name("a"));
        assertThrows(EngineException.class, () -> ContainerJson.name("we b"));
    }

    @Test
    void statusWordedAsDockerPs() {
        Instant now = Instant.parse("2025-01-01T12:00:00Z");
        assertEquals("Up 5 seconds", ContainerStatus.describe(state("running", 0, now.minusSeconds(5), null), now));
        assertEquals("Up Less than a second", ContainerStatus.describe(state("running", 0, now, null), now));
        assertEquals("Exited (3) About a minute ago",
                ContainerStatus.describe(state("exited", 3, now.minusSeconds(600), now.minusSeconds(61)), now));
        assertEquals("Created", ContainerStatus.describe(state("created", 0, null, null), now));
        assertEquals("About an hour", ContainerStatus.humanDuration(Duration.ofMinutes(80)));
        assertEquals("3 days", ContainerStatus.humanDuration(Duration.ofHours(80)));
    }

    @Test
    void psStatusTellsHealthOfRunningContainersOnly() {
        Instant now = Instant.parse("2025-01-01T12:00:00Z");
        Instant started = now.minusSeconds(3);
        assertEquals("Up 3 seconds (health: starting)", ContainerStatus.describe(healthy("running", Health.STARTING,
                started, null), now));
        assertEquals("Up 3 seconds (healthy)", ContainerStatus.describe(healthy("running", Health.HEALTHY, started,
                null), now));
        assertEquals("Up 3 seconds (unhealthy)", ContainerStatus.describe(healthy("running", Health.UNHEALTHY,
                started, null), now));
        assertEquals("Exited (0) 1 second ago", ContainerStatus.describe(healthy("exited", Health.UNHEALTHY, started,
                now.minusSeconds(1)), now));
    }

    private static ContainerState healthy(String status, String health, Instant started, Instant finished) {
        return new ContainerState(status, status.equals("running"), 1, 0, "", started, finished,
                new Health(health, 0, List.of()));
    }

    @Test
    void healthCheckAndHealthAreInspectedInDockersShapes() throws EngineException {
        Backend.CreateSpec spec = ContainerJson.createSpec(Json.MAPPER.valueToTree(Map.of("Image", "busybox",
                "Healthcheck", Map.of("Test", List.of("CMD-SHELL", "test -f /tmp/ok"), "Interval", 1_000_000_000L,
                        "Retries", 2))));
        assertEquals(new Healthcheck(List.of("CMD-SHELL", "test -f /tmp/ok"), 1_000_000_000L, 0, 0, 0, 2),
                spec.healthcheck());
        Health health = new Health(Health.UNHEALTHY, 2, List.of(new Health.Result("2025-01-01T12:00:00Z",
                "2025-01-01T12:00:01Z", -1, "Health check exceeded timeout (1s)")));
        ContainerState state = new ContainerState("running", true, 7, 0, "", Instant.EPOCH, null, health);
        var json = ContainerJson.inspect(new Backend.ContainerDetail(summary(state), spec, "", List.of(), 0));
        assertEquals("{\"Test\":[\"CMD-SHELL\",\"test -f /tmp/ok\"],\"Interval\":1000000000,\"Retries\":2}",
                json.at("/Config/Healthcheck").toString());
        assertEquals("{\"Status\":\"unhealthy\",\"FailingStreak\":2,\"Log\":[{\"Start\":\"2025-01-01T12:00:00Z\","
                + "\"End\":\"2025-01-01T12:00:01Z\",\"ExitCode\":-1,"
                + "\"Output\":\"Health check exceeded timeout (1s)\"}]}", json.at("/State/Health").toString());

        var plain = ContainerJson.inspect(new Backend.ContainerDetail(summary(state("running", 0, Instant.EPOCH,
                null)), ContainerJson.createSpec(Json.MAPPER.valueToTree(Map.of("Image", "busybox"))), "", List.of(),
                0));
        assertEquals(false, plain.get("Config").has("Healthcheck"), "none: left out, as Go's omitempty does");
        assertEquals(false, plain.get("State").has("Health"));
        assertThrows(EngineException.class, () -> ContainerJson.createSpec(Json.MAPPER.valueToTree(Map.of("Image",
                "busybox", "Healthcheck", Map.of("Retries", -1)))));
    }

    private static Backend.ContainerSummary summary(ContainerState state) {
        return new Backend.ContainerSummary("f".repeat(64), List.of("/web"), "busybox", "sha256:b", "sh", Instant.EPOCH,
                state, Map.of(), "vm", Backend.NetworkState.idle("bridge"), false);
    }

    private static ContainerState state(String status, int code, Instant started, Instant finished) {
        return new ContainerState(status, status.equals("running"), 1, code, "", started, finished);
    }

    @Test
    void waitConditions() throws EngineException {
        assertEquals(Backend.WaitCondition.NOT_RUNNING, ContainerRoutes.condition(null));
        assertEquals(Backend.WaitCondition.REMOVED, ContainerRoutes.condition("removed"));
        assertThrows(EngineException.class, () -> ContainerRoutes.condition("soon"));
    }
    @Test
    void networkFieldsOfCreateAreRead() throws Exception {
        var body = Json.MAPPER.readTree("""
                {"Image":"busybox","ExposedPorts":{"80/tcp":{}},
                 "HostConfig":{"NetworkMode":"default","PublishAllPorts":true,"ExtraHosts":["gw:host-gateway"],
                   "PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}],"53/udp":null}}}
                """);
        Backend.NetworkSpec n = ContainerJson.createSpec(body).network();
        assertEquals("default", n.mode());
        assertEquals(List.of(new Backend.PortBinding("127.0.0.1", "8080")), n.portBindings().get("80/tcp"));
        assertEquals(List.of(), n.portBindings().get("53/udp"));
        assertEquals(List.of("80/tcp"), n.exposedPorts());
        assertEquals(true, n.publishAll());
        assertEquals(List.of("gw:host-gateway"), n.extraHosts());
        assertThrows(EngineException.class, () -> ContainerJson.createSpec(Json.MAPPER.readTree(
                "{\"Image\":\"b\",\"HostConfig\":{\"PortBindings\":[1]}}")));
    }

    @Test
    void networkSettingsReportPublishedAndUnpublishedPortsAndTheAddress() {
        var spec = new Backend.NetworkSpec("bridge", Map.of("80/tcp", List.of(new Backend.PortBinding("", ""))),
                List.of("80/tcp", "443/tcp"), false, List.of(), Map.of());
        var state = new Backend.NetworkState("bridge", List.of(new Backend.EndpointInfo("bridge", "nid", "eid",
                "172.17.0.2", 16, "172.17.0.1", "02:42:ac:11:00:02", List.of(), List.of(), "eth0")),
                List.of(new Backend.PublishedPort("80/tcp", "0.0.0.0", 32768)), "/run/skiff/netns/x");
        var n = ContainerJson.networkSettings(state, spec);
        assertEquals("32768", n.at("/Ports/80~1tcp/0/HostPort").asText());
        assertEquals("0.0.0.0", n.at("/Ports/80~1tcp/0/HostIp").asText());
        assertEquals(true, n.get("Ports").get("443/tcp").isNull(), "exposed, not published: null as Docker has it");
        assertEquals("172.17.0.2", n.get("IPAddress").asText());
        assertEquals("172.17.0.1", n.at("/Networks/bridge/Gateway").asText());
        assertEquals(16, n.at("/Networks/bridge/IPPrefixLen").asInt());
        var idle = ContainerJson.networkSettings(Backend.NetworkState.idle("bridge"), spec);
        assertEquals("", idle.get("IPAddress").asText());
        assertEquals(true, idle.get("Networks").has("bridge"));
    }
}
