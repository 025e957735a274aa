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
            "POST /build", "POST /build/prune", "GET /images/{name*}/history", "GET /images/search",
            "POST /commit", "GET /system/df", "GET /distribution/{name*}/json", "POST /session",
            "GET /swarm", "POST /swarm/init", "POST /swarm/join", "POST /swarm/leave", "GET /nodes", "GET /services",
            "POST /services/create", "GET /tasks", "GET /secrets", "GET /configs", "GET /plugins");

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
