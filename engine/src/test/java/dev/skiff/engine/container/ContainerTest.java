package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.engine.api.Backend.ContainerUpdate;
import dev.skiff.engine.api.Backend.CreateSpec;
import dev.skiff.engine.api.Backend.RestartPolicy;
import dev.skiff.engine.api.EngineException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** docker update on a container: what it changes and what it refuses, in dockerd's words where it has them. */
class ContainerTest {
    private static Container container(boolean autoRemove) {
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
        assertEquals("Cannot update container " + c.id + ": Skiff does not apply resource limits yet (Memory,"
                + " NanoCpus); docker update can change only --restart", e.getMessage());
        assertEquals(RestartPolicy.NO, c.spec.restartOrNo(), "nothing of a refused update is applied");
    }

    @Test
    void aContainerBeingRemovedCannotBeUpdated() {
        Container c = container(false);
        c.status = "removing";
        assertEquals(EngineException.Kind.CONFLICT, assertThrows(EngineException.class,
                () -> c.update(new ContainerUpdate(RestartPolicy.NO, List.of()))).kind());
    }
}
