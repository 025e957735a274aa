package dev.skiff.engine.api;

import java.io.IOException;

/** {@code /_ping}, {@code /version}, {@code /info}, and Skiff's own {@code /skiff/vms}. */
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
                .add("GET", "/skiff/vms", this::vms);
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
