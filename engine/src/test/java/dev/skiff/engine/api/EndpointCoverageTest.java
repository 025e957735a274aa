package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint of Docker 28's Engine API (v1.47, from its swagger.yaml) reaches a handler:
 * Skiff's, or the 501 that names it. None answers "page not found", which would tell a client the
 * route does not exist in Docker's API at all.
 */
@Timeout(60)
class EndpointCoverageTest {
    /** "METHOD path" with made-up ids and names; endpoints that stream are given what ends them. */
    static final List<String> DOCKER_1_47 = List.of(
            "GET /containers/json", "POST /containers/create", "GET /containers/x/json", "GET /containers/x/top",
            "GET /containers/x/logs?stdout=1", "GET /containers/x/changes", "GET /containers/x/export",
            "GET /containers/x/stats?stream=false", "POST /containers/x/resize", "POST /containers/x/start",
            "POST /containers/x/stop", "POST /containers/x/restart", "POST /containers/x/kill",
            "POST /containers/x/update", "POST /containers/x/rename?name=y", "POST /containers/x/pause",
            "POST /containers/x/unpause", "POST /containers/x/attach", "GET /containers/x/attach/ws",
            "POST /containers/x/wait", "DELETE /containers/x", "HEAD /containers/x/archive?path=/",
            "GET /containers/x/archive?path=/", "PUT /containers/x/archive?path=/", "POST /containers/prune",
            "GET /images/json", "POST /build", "POST /build/prune", "POST /images/create",
            "GET /images/x/json", "GET /images/x/history", "POST /images/x/push", "POST /images/x/tag?repo=y",
            "DELETE /images/x", "GET /images/search?term=x", "POST /images/prune", "POST /commit?container=x",
            "GET /images/x/get", "GET /images/get?names=x", "POST /images/load",
            "GET /networks", "GET /networks/x", "DELETE /networks/x", "POST /networks/create",
            "POST /networks/x/connect", "POST /networks/x/disconnect", "POST /networks/prune",
            "GET /volumes", "POST /volumes/create", "GET /volumes/x", "PUT /volumes/x", "DELETE /volumes/x",
            "POST /volumes/prune",
            "POST /containers/x/exec", "POST /exec/x/start", "POST /exec/x/resize", "GET /exec/x/json",
            "GET /swarm", "POST /swarm/init", "POST /swarm/join", "POST /swarm/leave", "POST /swarm/update",
            "GET /swarm/unlockkey", "POST /swarm/unlock",
            "GET /nodes", "GET /nodes/x", "DELETE /nodes/x", "POST /nodes/x/update",
            "GET /services", "POST /services/create", "GET /services/x", "DELETE /services/x",
            "POST /services/x/update", "GET /services/x/logs",
            "GET /tasks", "GET /tasks/x", "GET /tasks/x/logs",
            "GET /secrets", "POST /secrets/create", "GET /secrets/x", "DELETE /secrets/x", "POST /secrets/x/update",
            "GET /configs", "POST /configs/create", "GET /configs/x", "DELETE /configs/x", "POST /configs/x/update",
            "GET /plugins", "GET /plugins/privileges", "POST /plugins/pull", "GET /plugins/x/json",
            "DELETE /plugins/x", "POST /plugins/x/enable", "POST /plugins/x/disable", "POST /plugins/x/upgrade",
            "POST /plugins/create", "POST /plugins/x/push", "POST /plugins/x/set",
            "POST /auth", "GET /info", "GET /version", "GET /_ping", "HEAD /_ping",
            "GET /events?since=0&until=1", "GET /system/df", "GET /distribution/x/json", "POST /session");

    @TempDir
    Path dir;
    private EngineServer server;
    private Path socket;

    @BeforeEach
    void start() throws Exception {
        server = new EngineServer(dir);
        socket = server.socket;
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    @Test
    void everyEndpointOfDockers147ApiHasAHandlerOrANamed501() throws IOException {
        List<String> unrouted = new ArrayList<>();
        for (String e : DOCKER_1_47) {
            String[] m = e.split(" ", 2);
            try (RawClient c = new RawClient(socket)) {
                RawClient.Reply r = c.request(m[0], "/v1.47" + m[1], m[0].equals("POST") || m[0].equals("PUT") ? "{}" : null);
                if (r.status() == 404 && r.text().contains("page not found")) {
                    unrouted.add(e);
                }
            }
        }
        assertEquals(List.of(), unrouted);
    }

    @Test
    void aMissingEndpointSaysItIsNotImplementedAndNamesIt() throws IOException {
        try (RawClient c = new RawClient(socket)) {
            RawClient.Reply r = c.request("GET", "/v1.47/swarm/unlockkey", null);
            assertEquals(501, r.status());
            assertEquals("{\"message\":\"Skiff does not implement GET /swarm/unlockkey yet (it is part of the Docker Engine"
                    + " API); see Skiff's README for what works today\"}", r.text());
        }
    }
}
