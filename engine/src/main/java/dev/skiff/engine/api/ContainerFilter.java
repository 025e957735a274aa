package dev.skiff.engine.api;

import dev.skiff.engine.api.Backend.ContainerSummary;
import dev.skiff.engine.network.LabelFilter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code GET /containers/json?filters=}: dockerd's filters for the container list (moby's
 * {@code daemon/list.go}), applied to what the engine lists. A script's {@code docker rm -f $(docker ps -aq
 * --filter label=...)} must act on the containers it names and no others, so an unknown key or a bad
 * value is an error, never a filter quietly ignored.
 */
final class ContainerFilter {
    static final Set<String> KEYS = Set.of("ancestor", "before", "expose", "exited", "health", "id", "isolation",
            "is-task", "label", "name", "network", "publish", "since", "status", "volume");
    private static final Set<String> STATES = Set.of("created", "restarting", "running", "removing", "paused",
            "exited", "dead");
    private static final Set<String> HEALTH = Set.of("starting", "healthy", "unhealthy", "none");

    private final Map<String, List<String>> filters;
    private final List<Pattern> names;
    private final ContainerSummary before;
    private final ContainerSummary since;

    private ContainerFilter(Map<String, List<String>> filters, List<Pattern> names, ContainerSummary before,
                            ContainerSummary since) {
        this.filters = filters;
        this.names = names;
        this.before = before;
        this.since = since;
    }

    /** Parses and checks the filters against {@code all}, every container (before= and since= name one of them). */
    static ContainerFilter parse(String raw, List<ContainerSummary> all) throws EngineException {
        Map<String, List<String>> f = Filters.parse(raw, KEYS);
        for (String s : f.getOrDefault("status", List.of())) {
            if (!STATES.contains(s)) {
                throw EngineException.invalid("invalid filter 'status=" + s + "'");
            }
        }
        for (String h : f.getOrDefault("health", List.of())) {
            if (!HEALTH.contains(h)) {
                throw EngineException.invalid("Unrecognised filter value for health: " + h); // dockerd's words
            }
        }
        for (String e : f.getOrDefault("exited", List.of())) {
            try {
                Integer.parseInt(e);
            } catch (NumberFormatException ex) {
                throw EngineException.invalid("invalid filter 'exited=" + e + "'");
            }
        }
        for (String t : f.getOrDefault("is-task", List.of())) {
            if (!t.equals("true") && !t.equals("false")) {
                throw EngineException.invalid("invalid filter 'is-task=" + t + "'");
            }
        }
        List<Pattern> names = new java.util.ArrayList<>();
        for (String n : f.getOrDefault("name", List.of())) {
            try {
                names.add(Pattern.compile(n));
            } catch (PatternSyntaxException e) {
                throw EngineException.invalid("invalid filter 'name=" + n + "': " + e.getDescription());
            }
        }
        return new ContainerFilter(f, names, one(f, "before", all), one(f, "since", all));
    }

    /**
     * Whether the list includes stopped containers: with -a, or when a status filter asks for states, as dockerd
     * does; before= and since= include them too.
     */
    boolean includesStopped(boolean all) {
        return all || filters.containsKey("status") || before != null || since != null;
    }

    boolean matches(ContainerSummary c) {
        return any("id", v -> c.id().startsWith(v))
                && (names.isEmpty() || names.stream().anyMatch(p -> c.names().stream().anyMatch(n ->
                        p.matcher(n).find() || p.matcher(n.startsWith("/") ? n.substring(1) : n).find())))
                && LabelFilter.matches(c.labels(), filters.getOrDefault("label", List.of()))
                && any("status", v -> v.equals(c.state().status()))
                && any("exited", v -> !c.state().running() && c.state().startedAt() != null
                        && c.state().exitCode() == Integer.parseInt(v))
                && any("ancestor", v -> ancestor(c, v))
                && any("network", v -> network(c, v))
                && any("publish", v -> c.network() != null && c.network().ports().stream()
                        .anyMatch(p -> port(p.containerPort(), v)))
                && any("expose", v -> c.network() != null && c.network().ports().stream()
                        .anyMatch(p -> port(p.containerPort(), v)))
                && any("isolation", v -> v.equals(isolation(c)))
                && any("health", v -> v.equals(c.state().health() == null ? Health.NONE : c.state().health().status()))
                && any("is-task", v -> v.equals("false"))
                && !filters.containsKey("volume") // no named volumes yet: a volume filter matches nothing
                && (before == null || c.created().isBefore(before.created()))
                && (since == null || c.created().isAfter(since.created()));
    }

    private boolean any(String key, java.util.function.Predicate<String> test) {
        List<String> values = filters.get(key);
        return values == null || values.stream().anyMatch(test);
    }

    private static ContainerSummary one(Map<String, List<String>> f, String key, List<ContainerSummary> all)
            throws EngineException {
        List<String> values = f.get(key);
        if (values == null || values.isEmpty()) {
            return null;
        }
        String ref = values.getFirst();
        for (ContainerSummary c : all) {
            if (c.id().equals(ref) || c.names().contains("/" + ref) || c.names().contains(ref)) {
                return c;
            }
        }
        List<ContainerSummary> prefixed = all.stream().filter(c -> c.id().startsWith(ref)).toList();
        if (prefixed.size() == 1) {
            return prefixed.getFirst();
        }
        throw EngineException.notFound("No such container: " + ref);
    }

    private static boolean ancestor(ContainerSummary c, String v) {
        if (c.imageId() != null && (c.imageId().equals(v) || c.imageId().startsWith("sha256:" + v)
                || c.imageId().startsWith(v) && v.startsWith("sha256:"))) {
            return true;
        }
        String image = c.image() == null ? "" : c.image();
        return image.equals(v) || image.equals(v + ":latest") || (v.endsWith(":latest") && image.equals(
                v.substring(0, v.length() - ":latest".length())));
    }

    private static boolean network(ContainerSummary c, String v) {
        if (c.network() == null) {
            return false;
        }
        String mode = c.network().mode() == null || c.network().mode().isEmpty() || c.network().mode().equals("default")
                ? "bridge" : c.network().mode();
        return mode.equals(v) || c.network().endpoints().stream().anyMatch(e -> e.network().equals(v)
                || e.networkId() != null && !e.networkId().isEmpty() && e.networkId().startsWith(v));
    }

    /** "80", "80/tcp", "8000-8080", "8000-8080/udp" against a container port "80/tcp". */
    private static boolean port(String containerPort, String filter) {
        String[] have = containerPort.split("/", 2);
        String haveProto = have.length > 1 ? have[1] : "tcp";
        String[] want = filter.split("/", 2);
        String wantProto = want.length > 1 ? want[1] : "tcp";
        if (!haveProto.equals(wantProto)) {
            return false;
        }
        try {
            int p = Integer.parseInt(have[0]);
            String[] range = want[0].split("-", 2);
            int lo = Integer.parseInt(range[0]);
            int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
            return p >= lo && p <= hi;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String isolation(ContainerSummary c) {
        return c.dedicated() ? "hyperv" : "default";
    }
}
