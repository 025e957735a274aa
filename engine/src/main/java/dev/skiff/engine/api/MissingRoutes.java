package dev.skiff.engine.api;

import java.util.List;

/**
 * The Docker Engine API (v1.47, Docker 28) endpoints Skiff does not have yet: each answers 501 with
 * a message that names it, so a client learns what is missing instead of reading "page not found".
 * Registered last; every route Skiff implements wins over these.
 */
final class MissingRoutes {
    /** "METHOD path" with Docker's path parameters. */
    static final List<String> ENDPOINTS = List.of(
            "GET /containers/{id}/changes", "GET /containers/{id}/export", "GET /containers/{id}/attach/ws",
            "POST /build", "GET /images/{name*}/history", "GET /images/search",
            "POST /commit", "GET /system/df", "GET /distribution/{name*}/json", "POST /session",
            "PUT /volumes/{name}",
            // swarm mode: Skiff has no cluster
            "GET /swarm", "POST /swarm/init", "POST /swarm/join", "POST /swarm/leave", "POST /swarm/update",
            "GET /swarm/unlockkey", "POST /swarm/unlock",
            "GET /nodes", "GET /nodes/{id}", "DELETE /nodes/{id}", "POST /nodes/{id}/update",
            "GET /services", "POST /services/create", "GET /services/{id}", "DELETE /services/{id}",
            "POST /services/{id}/update", "GET /services/{id}/logs",
            "GET /tasks", "GET /tasks/{id}", "GET /tasks/{id}/logs",
            "GET /secrets", "POST /secrets/create", "GET /secrets/{id}", "DELETE /secrets/{id}",
            "POST /secrets/{id}/update",
            "GET /configs", "POST /configs/create", "GET /configs/{id}", "DELETE /configs/{id}",
            "POST /configs/{id}/update",
            // plugins
            "GET /plugins", "GET /plugins/privileges", "POST /plugins/pull", "GET /plugins/{name*}/json",
            "DELETE /plugins/{name*}", "POST /plugins/{name*}/enable", "POST /plugins/{name*}/disable",
            "POST /plugins/{name*}/upgrade", "POST /plugins/create", "POST /plugins/{name*}/push",
            "POST /plugins/{name*}/set");

    private MissingRoutes() {}

    static void register(Router router) {
        for (String e : ENDPOINTS) {
            String[] parts = e.split(" ", 2);
            router.add(parts[0], parts[1], ex -> {
                throw new EngineException(EngineException.Kind.NOT_IMPLEMENTED, "Skiff does not implement " + parts[0]
                        + " " + parts[1] + " yet (it is part of the Docker Engine API); see Skiff's README for what"
                        + " works today");
            });
        }
    }
}
