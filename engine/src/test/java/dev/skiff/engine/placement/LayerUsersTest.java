package dev.skiff.engine.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The per-layer count of a VM's containers, and which plugged layers may go. */
class LayerUsersTest {
    private final LayerUsers users = new LayerUsers();

    @Test
    void aLayerIsFreedWhenItsLastUserLeaves() {
        users.use("c1", List.of("base", "b"));
        users.use("c2", List.of("base", "other"));
        assertEquals(2, users.count("base"));
        assertEquals(Set.of("b"), users.release("c1"));
        assertEquals(1, users.count("base"));
        assertEquals(0, users.count("b"));
        assertEquals(Set.of("base", "other"), users.release("c2"));
        assertEquals(0, users.count("base"));
    }

    @Test
    void aContainerCountsOnceHoweverOftenItAsks() {
        users.use("c1", List.of("a"));
        users.use("c1", List.of("a")); // a docker cp, then a start: one user
        assertEquals(1, users.count("a"));
        assertEquals(Set.of("a"), users.release("c1"));
    }

    @Test
    void releasingAnUnknownContainerFreesNothing() {
        users.use("c1", List.of("a"));
        assertEquals(Set.of(), users.release("nobody"));
        assertEquals(1, users.count("a"));
    }

    @Test
    void onlyUnusedLayersThatLeftTheStoreMayGo() {
        users.use("c1", List.of("used-gone"));
        Set<String> gone = Set.of("used-gone", "unused-gone");
        // "unused-kept": its image still exists, so it stays plugged as a cache
        assertEquals(List.of("unused-gone"),
                users.reclaimable(List.of("used-gone", "unused-gone", "unused-kept"), gone::contains));
        users.release("c1");
        assertEquals(List.of("used-gone", "unused-gone"),
                users.reclaimable(List.of("used-gone", "unused-gone", "unused-kept"), gone::contains));
    }
}
