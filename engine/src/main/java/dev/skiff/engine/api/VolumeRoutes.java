package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.Backend.VolumeInfo;
import dev.skiff.engine.network.LabelFilter;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /volumes}: list, inspect, create, remove and prune, in Docker's JSON. */
final class VolumeRoutes {
    private static final Set<String> LIST_FILTERS = Set.of("name", "label", "dangling", "driver");
    private static final Set<String> PRUNE_FILTERS = Set.of("label", "all");

    private final Backend backend;

    VolumeRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router router) {
        router.add("GET", "/volumes", this::list)
                .add("POST", "/volumes/create", this::create)
                .add("POST", "/volumes/prune", this::prune)
                .add("GET", "/volumes/{name}", ex -> ex.response().sendJson(200,
                        json(backend.inspectVolume(ex.path("name")))))
                .add("DELETE", "/volumes/{name}", ex -> {
                    backend.removeVolume(ex.path("name"), ex.queryBool("force"));
                    ex.response().sendEmpty(204);
                });
    }

    private void list(Exchange ex) throws EngineException, IOException {
        Map<String, List<String>> f = Filters.parse(ex.query("filters"), LIST_FILTERS);
        for (String d : f.getOrDefault("dangling", List.of())) {
            if (!Set.of("true", "false", "1", "0").contains(d)) {
                throw EngineException.invalid("invalid filter 'dangling=" + d + "'");
            }
        }
        ArrayNode volumes = Json.array();
        for (VolumeInfo v : backend.volumes()) {
            if (matches(v, f)) {
                volumes.add(json(v));
            }
        }
        ObjectNode out = Json.object();
        out.set("Volumes", volumes);
        out.putArray("Warnings");
        ex.response().sendJson(200, out);
    }

    private static boolean matches(VolumeInfo v, Map<String, List<String>> f) {
        List<String> names = f.get("name");
        if (names != null && names.stream().noneMatch(v.name()::contains)) {
            return false;
        }
        List<String> drivers = f.get("driver");
        if (drivers != null && !drivers.contains("local")) {
            return false;
        }
        List<String> dangling = f.get("dangling");
        if (dangling != null && dangling.stream().noneMatch(d -> (d.equals("true") || d.equals("1"))
                == v.users().isEmpty())) {
            return false;
        }
        return LabelFilter.matches(v.labels(), f.getOrDefault("label", List.of()));
    }

    private void create(Exchange ex) throws EngineException, IOException {
        JsonNode body = ex.readJson();
        VolumeInfo v = backend.createVolume(Json.text(body, "Name"), Json.text(body, "Driver"),
                Json.stringMap(body, "Labels"), Json.stringMap(body, "DriverOpts"));
        ex.response().sendJson(201, json(v));
    }

    /** Docker 23 and later: only anonymous volumes unless all=true. */
    private void prune(Exchange ex) throws EngineException, IOException {
        Map<String, List<String>> f = Filters.parse(ex.query("filters"), PRUNE_FILTERS);
        boolean all = f.getOrDefault("all", List.of()).stream().anyMatch(a -> a.equals("true") || a.equals("1"));
        ArrayNode deleted = Json.array();
        backend.pruneVolumes(f.getOrDefault("label", List.of()), all).forEach(deleted::add);
        ObjectNode out = Json.object();
        out.set("VolumesDeleted", deleted);
        out.put("SpaceReclaimed", 0);
        ex.response().sendJson(200, out);
    }

    static ObjectNode json(VolumeInfo v) {
        ObjectNode o = Json.object()
                .put("CreatedAt", Json.time(v.created()))
                .put("Driver", "local");
        ObjectNode labels = o.putObject("Labels");
        v.labels().forEach(labels::put);
        o.put("Mountpoint", v.mountpoint()).put("Name", v.name());
        o.putObject("Options");
        o.put("Scope", "local");
        return o;
    }
}
