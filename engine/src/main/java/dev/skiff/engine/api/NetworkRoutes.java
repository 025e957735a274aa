package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.Backend.NetworkCreate;
import dev.skiff.engine.api.Backend.NetworkInfo;
import dev.skiff.engine.api.Backend.NetworkMember;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /networks}: list, inspect, create, remove, prune, connect and disconnect, in Docker's JSON. */
final class NetworkRoutes {
    private static final Set<String> LIST_FILTERS = Set.of("name", "id", "label", "driver", "type", "scope", "dangling");

    private final Backend backend;

    NetworkRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router router) {
        router.add("GET", "/networks", this::list)
                .add("POST", "/networks/create", this::create)
                .add("POST", "/networks/prune", this::prune)
                .add("GET", "/networks/{id}", this::inspect)
                .add("DELETE", "/networks/{id}", this::remove)
                .add("POST", "/networks/{id}/connect", this::connect)
                .add("POST", "/networks/{id}/disconnect", this::disconnect);
    }

    private void list(Exchange ex) throws EngineException, IOException {
        Map<String, List<String>> f = Filters.parse(ex.query("filters"), LIST_FILTERS);
        ArrayNode out = Json.array();
        for (NetworkInfo n : backend.networks()) {
            if (matches(n, f)) {
                out.add(json(n));
            }
        }
        ex.response().sendJson(200, out);
    }

    static boolean matches(NetworkInfo n, Map<String, List<String>> f) {
        if (f.containsKey("name") && f.get("name").stream().noneMatch(v -> n.name().contains(v))) {
            return false;
        }
        if (f.containsKey("id") && f.get("id").stream().noneMatch(v -> n.id().startsWith(v))) {
            return false;
        }
        if (f.containsKey("driver") && !f.get("driver").contains(n.driver())) {
            return false;
        }
        if (f.containsKey("type") && f.get("type").stream().noneMatch(v -> v.equals(n.builtin() ? "builtin" : "custom"))) {
            return false;
        }
        if (f.containsKey("scope") && !f.get("scope").contains("local")) {
            return false;
        }
        if (f.containsKey("dangling")) {
            boolean dangling = !n.builtin() && n.containers().isEmpty();
            if (f.get("dangling").stream().noneMatch(v -> Boolean.parseBoolean(v) == dangling || v.equals(dangling ? "1" : "0"))) {
                return false;
            }
        }
        return !f.containsKey("label") || dev.skiff.engine.network.LabelFilter.matches(n.labels(), f.get("label"));
    }

    private void inspect(Exchange ex) throws EngineException, IOException {
        ex.response().sendJson(200, json(backend.inspectNetwork(ex.path("id"))));
    }

    private void create(Exchange ex) throws EngineException, IOException {
        JsonNode body = ex.readJson();
        if (Json.bool(body, "EnableIPv6")) {
            throw EngineException.invalid("IPv6 networks are not supported by Skiff yet");
        }
        JsonNode ipam = Json.child(body, "IPAM");
        String subnet = "";
        String gateway = "";
        JsonNode config = ipam.get("Config");
        if (config != null && !config.isNull()) {
            if (!config.isArray() || config.size() > 1) {
                throw EngineException.invalid("IPAM.Config must be a list of at most one pool (Skiff gives a network one subnet)");
            }
            if (config.size() == 1) {
                subnet = Json.text(config.get(0), "Subnet");
                gateway = Json.text(config.get(0), "Gateway");
                if (!Json.text(config.get(0), "IPRange").isEmpty()) {
                    throw EngineException.invalid("--ip-range is not supported by Skiff yet: give --subnet only");
                }
            }
        }
        String id = backend.createNetwork(new NetworkCreate(Json.text(body, "Name"), Json.text(body, "Driver"), subnet,
                gateway, Json.bool(body, "Internal"), Json.bool(body, "Attachable"), Json.stringMap(body, "Labels"),
                Json.stringMap(body, "Options"), Json.bool(body, "CheckDuplicate")));
        ex.response().sendJson(201, Json.object().put("Id", id).put("Warning", ""));
    }

    private void remove(Exchange ex) throws EngineException, IOException {
        backend.removeNetwork(ex.path("id"));
        ex.response().sendEmpty(204);
    }

    private void prune(Exchange ex) throws EngineException, IOException {
        List<String> removed = backend.pruneNetworks(Filters.parse(ex.query("filters"), Set.of("label", "until")));
        ObjectNode reply = Json.object();
        reply.set("NetworksDeleted", Json.array(removed));
        ex.response().sendJson(200, reply);
    }

    private void connect(Exchange ex) throws EngineException, IOException {
        JsonNode body = ex.readJson();
        String container = Json.text(body, "Container");
        if (container.isEmpty()) {
            throw EngineException.invalid("no container given: the request's Container field is empty");
        }
        backend.connectNetwork(ex.path("id"), container, ContainerJson.endpointRequest(body.get("EndpointConfig")));
        ex.response().sendEmpty(200);
    }

    private void disconnect(Exchange ex) throws EngineException, IOException {
        JsonNode body = ex.readJson();
        String container = Json.text(body, "Container");
        if (container.isEmpty()) {
            throw EngineException.invalid("no container given: the request's Container field is empty");
        }
        backend.disconnectNetwork(ex.path("id"), container, Json.bool(body, "Force"));
        ex.response().sendEmpty(200);
    }

    static ObjectNode json(NetworkInfo n) {
        ObjectNode o = Json.object().put("Name", n.name()).put("Id", n.id()).put("Created", Json.time(n.created()))
                .put("Scope", "local").put("Driver", n.driver()).put("EnableIPv4", true).put("EnableIPv6", false);
        ObjectNode ipam = o.putObject("IPAM").put("Driver", "default");
        ipam.putNull("Options");
        ArrayNode config = ipam.putArray("Config");
        if (!n.subnet().isEmpty()) {
            config.addObject().put("Subnet", n.subnet()).put("Gateway", n.gateway());
        }
        o.put("Internal", n.internal()).put("Attachable", n.attachable()).put("Ingress", false);
        o.putObject("ConfigFrom").put("Network", "");
        o.put("ConfigOnly", false);
        ObjectNode members = o.putObject("Containers");
        for (Map.Entry<String, NetworkMember> e : n.containers().entrySet()) {
            NetworkMember m = e.getValue();
            members.putObject(e.getKey()).put("Name", m.name()).put("EndpointID", m.endpointId())
                    .put("MacAddress", m.macAddress()).put("IPv4Address", m.ipv4Cidr()).put("IPv6Address", "");
        }
        o.set("Options", Json.object(n.options()));
        o.set("Labels", Json.object(n.labels()));
        return o;
    }
}
