package dev.skiff.engine.api;

import java.io.IOException;

/**
 * {@code /_ping}, {@code /version}, {@code /info}, the build cache's prune, and Skiff's own
 * {@code /skiff/vms}.
 */
final class SystemRoutes {
    private final Backend backend;

    SystemRoutes(Backend backend) {
        this.backend = backend;
    }

    void register(Router router) {
        router.add("GET", "/_ping", this::ping)
                .add("HEAD", "/_ping", this::ping)
                .add("GET", "/version", this::version)
                .add("GET", "/info", this::info)
                .add("GET", "/skiff/vms", this::vms)
                .add("POST", "/build/prune", this::pruneBuildCache);
    }

    /**
     * docker builder prune, and the last step of docker system prune: Skiff builds nothing, so its
     * build cache is always empty and there is nothing to remove (a 501 here failed system prune).
     */
    private void pruneBuildCache(Exchange ex) throws IOException {
        ex.response().sendJson(200, Json.object().putNull("CachesDeleted").put("SpaceReclaimed", 0));
    }

    /** The CLI pings first (HEAD, then GET) and takes the API version from the reply's headers. */
    private void ping(Exchange ex) throws IOException {
        ex.response().sendText(200, "OK");
    }

    private void version(Exchange ex) throws IOException {
        ex.response().sendJson(200, SystemJson.version(backend.version()));
    }

    private void info(Exchange ex) throws IOException {
        ex.response().sendJson(200, SystemJson.info(backend.info(), backend.version()));
    }

    private void vms(Exchange ex) throws IOException {
        ex.response().sendJson(200, Json.MAPPER.valueToTree(backend.info().vms()));
    }
}
