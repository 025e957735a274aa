package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.Backend.ContainerState;
import dev.skiff.engine.api.Backend.ContainerSummary;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerFilterTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final ContainerSummary WEB = summary("aaaa1111", "web", "nginx:latest", "running", 0,
            Map.of("com.docker.compose.project", "shop", "tier", "front"), 1, List.of(
                    new Backend.PublishedPort("80/tcp", "0.0.0.0", 8080)), false);
    private static final ContainerSummary JOB = summary("bbbb2222", "job", "busybox:latest", "exited", 3,
            Map.of("com.docker.compose.project", "shop"), 2, List.of(), true);
    private static final ContainerSummary NEW = summary("cccc3333", "fresh", "busybox:latest", "created", 0,
            Map.of(), 3, List.of(), false);
    private static final List<ContainerSummary> ALL = List.of(NEW, JOB, WEB);

    private static ContainerSummary summary(String id, String name, String image, String status, int exit,
                                            Map<String, String> labels, int minute, List<Backend.PublishedPort> ports,
                                            boolean dedicated) {
        boolean ran = !status.equals("created");
        ContainerState state = new ContainerState(status, status.equals("running"), 0, exit, "",
                ran ? T0 : null, status.equals("exited") ? T0.plusSeconds(5) : null);
        return new ContainerSummary(id + "0".repeat(56), List.of("/" + name), image, "sha256:" + id + "f".repeat(56),
                "sh", T0.plusSeconds(60L * minute), state, labels, "vm",
                new Backend.NetworkState("bridge", List.of(), ports, ""), dedicated);
    }

    private static List<String> names(String filters) throws EngineException {
        ContainerFilter f = ContainerFilter.parse(filters, ALL);
        return ALL.stream().filter(f::matches).map(c -> c.names().getFirst().substring(1)).toList();
    }

    @Test
    void labelsNamesIdsAndStatusSelectOnlyWhatTheyName() throws EngineException {
        assertEquals(List.of("job", "web"), names("{\"label\":{\"com.docker.compose.project=shop\":true}}"));
        assertEquals(List.of(), names("{\"label\":[\"com.docker.compose.project=nosuch\"]}"), "compose's orphan check");
        assertEquals(List.of("web"), names("{\"label\":[\"tier\"]}"));
        assertEquals(List.of("job", "web"), names("{\"label\":[\"com.docker.compose.project\"]}"));
        assertEquals(List.of("web"), names("{\"name\":[\"^/?we\"]}"));
        assertEquals(List.of("fresh"), names("{\"name\":[\"res\"]}"), "a substring matches, as dockerd's regexp");
        assertEquals(List.of("job"), names("{\"id\":[\"bbbb\"]}"));
        assertEquals(List.of("fresh", "job"), names("{\"status\":[\"created\",\"exited\"]}"));
        assertEquals(List.of("job"), names("{\"exited\":[\"3\"]}"));
        assertEquals(List.of(), names("{\"exited\":[\"0\"]}"), "a never-started container has no exit code");
    }

    @Test
    void ancestorNetworkPortsIsolationAndTime() throws EngineException {
        assertEquals(List.of("fresh", "job"), names("{\"ancestor\":[\"busybox\"]}"));
        assertEquals(List.of("web"), names("{\"ancestor\":[\"aaaa1111\"]}"));
        assertEquals(List.of("fresh", "job", "web"), names("{\"network\":[\"bridge\"]}"));
        assertEquals(List.of("web"), names("{\"publish\":[\"80\"]}"));
        assertEquals(List.of("web"), names("{\"publish\":[\"70-90/tcp\"]}"));
        assertEquals(List.of(), names("{\"publish\":[\"80/udp\"]}"));
        assertEquals(List.of("job"), names("{\"isolation\":[\"hyperv\"]}"));
        assertEquals(List.of("fresh", "web"), names("{\"isolation\":[\"default\"]}"));
        assertEquals(List.of("web"), names("{\"before\":[\"job\"]}"));
        assertEquals(List.of("fresh"), names("{\"since\":[\"bbbb2222\"]}"));
        assertEquals(List.of(), names("{\"volume\":[\"data\"]}"));
    }

    @Test
    void healthSelectsByStatusAndNoneIsTheContainersWithoutChecks() throws EngineException {
        ContainerSummary sick = withHealth(summary("dddd4444", "sick", "busybox:latest", "running", 0, Map.of(), 4,
                List.of(), false), Health.UNHEALTHY);
        ContainerSummary fine = withHealth(summary("eeee5555", "fine", "busybox:latest", "running", 0, Map.of(), 5,
                List.of(), false), Health.HEALTHY);
        List<ContainerSummary> all = List.of(WEB, sick, fine);
        ContainerFilter healthy = ContainerFilter.parse("{\"health\":[\"healthy\"]}", all);
        assertEquals(List.of(fine), all.stream().filter(healthy::matches).toList());
        ContainerFilter either = ContainerFilter.parse("{\"health\":[\"unhealthy\",\"starting\"]}", all);
        assertEquals(List.of(sick), all.stream().filter(either::matches).toList());
        ContainerFilter none = ContainerFilter.parse("{\"health\":[\"none\"]}", all);
        assertEquals(List.of(WEB), all.stream().filter(none::matches).toList());
        assertEquals("Unrecognised filter value for health: great", assertThrows(EngineException.class,
                () -> ContainerFilter.parse("{\"health\":[\"great\"]}", all)).getMessage());
    }

    private static ContainerSummary withHealth(ContainerSummary c, String status) {
        ContainerState s = c.state();
        return new ContainerSummary(c.id(), c.names(), c.image(), c.imageId(), c.command(), c.created(),
                new ContainerState(s.status(), s.running(), s.pid(), s.exitCode(), s.error(), s.startedAt(),
                        s.finishedAt(), new Health(status, 0, List.of())),
                c.labels(), c.vm(), c.network(), c.dedicated());
    }

    @Test
    void statusAndTimeFiltersIncludeStoppedContainersAsDockerdDoes() throws EngineException {
        assertTrue(ContainerFilter.parse("{\"status\":[\"exited\"]}", ALL).includesStopped(false));
        assertTrue(ContainerFilter.parse("{\"since\":[\"web\"]}", ALL).includesStopped(false));
        assertFalse(ContainerFilter.parse("{\"label\":[\"a\"]}", ALL).includesStopped(false));
    }

    @Test
    void unknownKeysAndBadValuesAreRefused() {
        for (String bad : new String[] {"{\"labels\":[\"a\"]}", "{\"status\":[\"sleeping\"]}", "{\"exited\":[\"x\"]}",
                "{\"name\":[\"(\"]}", "{\"health\":[\"great\"]}", "[1]", "not json"}) {
            EngineException e = assertThrows(EngineException.class, () -> ContainerFilter.parse(bad, ALL), bad);
            assertEquals(EngineException.Kind.INVALID, e.kind(), bad);
        }
        assertEquals(EngineException.Kind.NOT_FOUND, assertThrows(EngineException.class,
                () -> ContainerFilter.parse("{\"before\":[\"nosuch\"]}", ALL)).kind());
    }
}
