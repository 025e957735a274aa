package dev.skiff.engine.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.engine.api.Backend.BindMount;
import dev.skiff.engine.api.Backend.ContainerState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Docker's container JSON details that the CLI shows: -v syntax, names, the ps STATUS wording. */
class ContainerJsonTest {
    @Test
    void bindSyntax() throws EngineException {
        assertEquals(new BindMount("/h", "/c", false, true), ContainerJson.bind("/h:/c"));
        assertEquals(new BindMount("/h", "/c", true, true), ContainerJson.bind("/h:/c:ro,z"));
        assertEquals(400, assertThrows(EngineException.class, () -> ContainerJson.bind("vol:/c")).kind().httpStatus);
        assertThrows(EngineException.class, () -> ContainerJson.bind("/h:c"));
        assertThrows(EngineException.class, () -> ContainerJson.bind("/h:/c:xx"));
        assertThrows(EngineException.class, () -> ContainerJson.bind("/h"));
    }

    @Test
    void names() throws EngineException {
        assertEquals("web", ContainerJson.name("/web"));
        assertEquals(null, ContainerJson.name(""));
        assertThrows(EngineException.class, () -> ContainerJson.name("a"));
        assertThrows(EngineException.class, () -> ContainerJson.name("we b"));
    }

    @Test
    void statusWordedAsDockerPs() {
        Instant now = Instant.parse("2025-01-01T12:00:00Z");
        assertEquals("Up 5 seconds", ContainerStatus.describe(state("running", 0, now.minusSeconds(5), null), now));
        assertEquals("Up Less than a second", ContainerStatus.describe(state("running", 0, now, null), now));
        assertEquals("Exited (3) About a minute ago",
                ContainerStatus.describe(state("exited", 3, now.minusSeconds(600), now.minusSeconds(61)), now));
        assertEquals("Created", ContainerStatus.describe(state("created", 0, null, null), now));
        assertEquals("About an hour", ContainerStatus.humanDuration(Duration.ofMinutes(80)));
        assertEquals("3 days", ContainerStatus.humanDuration(Duration.ofHours(80)));
    }

    private static ContainerState state(String status, int code, Instant started, Instant finished) {
        return new ContainerState(status, status.equals("running"), 1, code, "", started, finished);
    }

    @Test
    void waitConditions() throws EngineException {
        assertEquals(Backend.WaitCondition.NOT_RUNNING, ContainerRoutes.condition(null));
        assertEquals(Backend.WaitCondition.REMOVED, ContainerRoutes.condition("removed"));
        assertThrows(EngineException.class, () -> ContainerRoutes.condition("soon"));
    }
}
