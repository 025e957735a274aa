package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.skiff.engine.api.Backend.ContainerSummary;
import dev.skiff.engine.api.Backend.EndpointInfo;
import dev.skiff.engine.network.Networking;
import java.io.IOException;
import java.util.List;

/**
 * {@code /networks}: Docker's three built-in networks (bridge, host, none) with the containers on
 * them, in Docker's JSON. User-defined networks are not built yet: their calls answer 501 with
 * the route named, never "page not found".
 */
final class NetworkRoutes {
    /** A built-in network: name, id, driver, and the subnet and gateway of its IPAM ("" for none). */
    private record Builtin(String name, String id, String driver, String subnet, String gateway) {}

    private static final List<Builtin> BUILTIN = List.of(
            new Builtin(Networking.BRIDGE, Networking.BRIDGE_ID, "bridge", Networking.BRIDGE_SUBNET, Networking.BRIDGE_GATEWAY),
            new Builtin(Networking.HOST, idOf("host"), "host", "", ""),
            new Builtin(Networking.NONE, idOf("none"), "null", "", ""));

    private final Backend backend;

    NetworkRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router router) {
        router.add("GET", "/networks", this::list)
                .add("GET", "/networks/{id}", this::inspect)
                .add("POST", "/networks/create", ex -> notYet("POST /networks/create"))
                .add("DELETE", "/networks/{id}", this::remove)
                .add("POST", "/networks/{id}/connect", ex -> notYet("POST /networks/{id}/connect"))
                .add("POST", "/networks/{id}/disconnect", ex -> notYet("POST /networks/{id}/disconnect"))
                .add("POST", "/networks/prune", this::prune);
    }

    private static void notYet(String route) throws EngineException {
        throw new EngineException(EngineException.Kind.NOT_IMPLEMENTED, route + ": user-defined networks are not "
                + "implemented by Skiff yet; containers can use the default bridge network (with -p to publish ports), "
                + "host or none");
    }

    private void list(Exchange ex) throws IOException {
        List<ContainerSummary> containers = backend.listContainers(true);
        ArrayNode out = Json.array();
        for (Builtin b : BUILTIN) {
            out.add(json(b, containers));
        }
        ex.response().sendJson(200, out);
    }

    private void inspect(Exchange ex) throws EngineException, IOException {
        ex.response().sendJson(200, json(find(ex.path("id")), backend.listContainers(true)));
    }

    private void remove(Exchange ex) throws EngineException {
        Builtin b = find(ex.path("id"));
        throw new EngineException(EngineException.Kind.INVALID, b.name() + " is a pre-defined network and cannot be removed");
    }

    private void prune(Exchange ex) throws IOException {
        ObjectNode reply = Json.object();
        reply.putArray("NetworksDeleted");
        ex.response().sendJson(200, reply);
    }

    /** By name, full id or id prefix, as Docker finds networks. */
    private static Builtin find(String ref) throws EngineException {
        for (Builtin b : BUILTIN) {
            if (b.name().equals(ref) || b.id().equals(ref) || (ref.length() >= 1 && b.id().startsWith(ref))) {
                return b;
            }
        }
        throw EngineException.notFound("network " + ref + " not found");
    }

    private static ObjectNode json(Builtin b, List<ContainerSummary> containers) {
        ObjectNode n = Json.object().put("Name", b.name()).put("Id", b.id()).put("Created", Json.ZERO_TIME)
                .put("Scope", "local").put("Driver", b.driver()).put("EnableIPv4", true).put("EnableIPv6", false);
        ObjectNode ipam = n.putObject("IPAM").put("Driver", "default");
        ipam.putNull("Options");
        ArrayNode config = ipam.putArray("Config");
        if (!b.subnet().isEmpty()) {
            config.addObject().put("Subnet", b.subnet()).put("Gateway", b.gateway());
        }
        n.put("Internal", false).put("Attachable", false).put("Ingress", false);
        n.putObject("ConfigFrom").put("Network", "");
        n.put("ConfigOnly", false);
        ObjectNode members = n.putObject("Containers");
        for (ContainerSummary c : containers) {
            for (EndpointInfo e : c.network().endpoints()) {
                if (e.network().equals(b.name())) {
                    members.putObject(c.id()).put("Name", c.names().isEmpty() ? "" : c.names().getFirst().substring(1))
                            .put("EndpointID", e.endpointId()).put("MacAddress", e.macAddress())
                            .put("IPv4Address", e.ipAddress() + "/" + e.prefixLength()).put("IPv6Address", "");
                }
            }
        }
        n.putObject("Options");
        n.putObject("Labels");
        return n;
    }

    private static String idOf(String name) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(("skiff/network/" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
