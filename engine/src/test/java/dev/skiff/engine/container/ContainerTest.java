package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.engine.api.Backend.ContainerUpdate;
import dev.skiff.engine.api.Backend.CreateSpec;
import dev.skiff.engine.api.Backend.RestartPolicy;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Health;
import dev.skiff.engine.api.Healthcheck;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker update on a container: what it changes and what it refuses, in dockerd's words where it has them. */
class ContainerTest {
    static Container container(boolean autoRemove) {
        CreateSpec spec = new CreateSpec("busybox", List.of("true"), null, List.of(), "", "", "", false, false, false,
                Map.of(), List.of(), autoRemove, "", null, null, null, null, null);
        return new Container("a".repeat(64), "c", Instant.EPOCH, "busybox", "sha256:x", List.of(), spec,
                List.of("true"), List.of(), "/", 0, 0, "c", Path.of("/nonexistent"));
    }

    @Test
    void aNewRestartPolicyReplacesTheOldOne() throws EngineException {
        Container c = container(false);
        c.update(new ContainerUpdate(new RestartPolicy("on-failure", 5), List.of()));
        assertEquals(new RestartPolicy("on-failure", 5), c.spec.restartOrNo());
        c.update(new ContainerUpdate(null, List.of()));
        assertEquals(new RestartPolicy("on-failure", 5), c.spec.restartOrNo(), "no policy named: unchanged");
    }

    @Test
    void autoRemoveForbidsARestartPolicy() throws EngineException {
        Container c = container(true);
        EngineException e = assertThrows(EngineException.class,
                () -> c.update(new ContainerUpdate(new RestartPolicy("always", 0), List.of())));
        assertEquals(EngineException.Kind.CONFLICT, e.kind());
        assertEquals("Cannot update container " + c.id
                + ": Restart policy cannot be updated because AutoRemove is enabled for the container", e.getMessage());
        c.update(new ContainerUpdate(RestartPolicy.NO, List.of()));
    }

    @Test
    void resourceLimitsAreRefusedNamingThem() {
        Container c = container(false);
        EngineException e = assertThrows(EngineException.class,
                () -> c.update(new ContainerUpdate(new RestartPolicy("always", 0), List.of("Memory", "NanoCpus"))));
        assertEquals(EngineException.Kind.INVALID, e.kind());
        assertEquals("Cannot update container " + c.id + ": Skiff sets resource limits at create only (Memory,"
                + " NanoCpus); docker update can change only --restart; create the container again with the new limits",
                e.getMessage());
        assertEquals(RestartPolicy.NO, c.spec.restartOrNo(), "nothing of a refused update is applied");
    }

    @Test
    void healthAndItsCheckAreKeptOnDiskAndOldStatesStillLoad(@TempDir Path dir) throws Exception {
        ContainerStore store = new ContainerStore(dir);
        Container c = container(false);
        Healthcheck check = new Healthcheck(List.of("CMD", "true"), 1_000_000_000L, 0, 0, 0, 2);
        c.spec = c.spec.withHealthcheck(check);
        c.health = new Health(Health.HEALTHY, 0, List.of(new Health.Result("2026-01-01T00:00:00Z",
                "2026-01-01T00:00:01Z", 0, "ok")));
        store.create(c);
        Container back = store.loadAll().getFirst();
        assertEquals(check, back.spec.healthcheck());
        assertEquals(c.health, back.health);

        Path state = dir.resolve(c.id).resolve("state.json");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var root = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(state.toFile());
        root.remove("health");
        ((com.fasterxml.jackson.databind.node.ObjectNode) root.get("spec")).remove("healthcheck");
        json.writeValue(state.toFile(), root);
        Container before = store.loadAll().getFirst();
        assertNull(before.health, "a state from before health checks: none");
        assertNull(before.spec.healthcheck());
        assertNull(before.spec.hostOptions(), "a state from before runtime options: Docker's defaults");
        assertEquals(dev.skiff.engine.api.HostOptions.DEFAULT, before.spec.hostOptionsOrDefault());
    }

    @Test
    void runtimeOptionsAreKeptOnDisk(@TempDir Path dir) throws Exception {
        ContainerStore store = new ContainerStore(dir);
        Container c = container(false);
        var options = new dev.skiff.engine.api.HostOptions(new dev.skiff.engine.api.HostOptions.Privileges(
                List.of("CAP_NET_ADMIN"), List.of("ALL"), false, true, List.of("27")), true, Map.of("/t", "size=1m"),
                1 << 27, Map.of("kernel.shmmax", "1"), true, new dev.skiff.engine.api.HostOptions.Limits(1 << 26, 5, 6, 0,
                0, 9, "0", List.of(new dev.skiff.engine.api.HostOptions.Ulimit("nofile", 1, 2)), -5), "host", "", "");
        c.spec = new CreateSpec("busybox", List.of("true"), null, List.of(), "", "", "", false, false, false,
                Map.of(), List.of(), false, "", null, null, null, null, null, options);
        store.create(c);
        assertEquals(options, store.loadAll().getFirst().spec.hostOptions());
    }

    @Test
    void savesRacingADeleteNeitherFailItNorBringTheContainerBack(@TempDir Path dir) throws Exception {
        ContainerStore store = new ContainerStore(dir);
        for (int round = 0; round < 50; round++) {
            Container c = container(false);
            store.create(c);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.List<Thread> savers = new java.util.ArrayList<>();
            java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int i = 0; i < 3; i++) { // a start, an exit and a health check saving at once
                savers.add(Thread.ofVirtual().start(() -> {
                    try {
                        go.await();
                        for (int n = 0; n < 20; n++) {
                            store.save(c);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            go.countDown();
            store.delete(c.id); // docker rm, in the middle of the saves
            for (Thread t : savers) {
                t.join();
            }
            assertEquals(java.util.List.of(), java.util.List.copyOf(failures), "round " + round);
            assertFalse(java.nio.file.Files.exists(dir.resolve(c.id)), "round " + round + ": a late save brought it back");
        }
        assertEquals(java.util.List.of(), store.loadAll());
    }

    @Test
    void aContainerBeingRemovedCannotBeUpdated() {
        Container c = container(false);
        c.status = Status.REMOVING;
        assertEquals(EngineException.Kind.CONFLICT, assertThrows(EngineException.class,
                () -> c.update(new ContainerUpdate(RestartPolicy.NO, List.of()))).kind());
    }
}
