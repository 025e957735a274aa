package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.Backend.CreateSpec;
import dev.skiff.engine.api.EngineException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The container table: lookups by Docker's rules, names kept unique, rename. */
class ContainerTableTest {
    private static Container container(String id, String name) {
        CreateSpec spec = new CreateSpec("busybox", List.of("true"), null, List.of(), "", "", "", false, false, false,
                Map.of(), List.of(), false, "", null, null, null, null, null);
        return new Container(id, name, Instant.EPOCH, "busybox", "sha256:x", List.of(), spec, List.of("true"),
                List.of(), "/", 0, 0, name, Path.of("/nonexistent"));
    }

    private static final Container WEB = container("abc1" + "0".repeat(60), "web");
    private static final Container DB = container("abc2" + "0".repeat(60), "db");
    private static final Container LOG = container("f00d" + "0".repeat(60), "abc1");

    private static ContainerTable table() {
        return new ContainerTable(List.of(WEB, DB, LOG));
    }

    @Test
    void findsByFullIdNameSlashNameAndUniquePrefix() throws EngineException {
        ContainerTable t = table();
        assertSame(WEB, t.find(WEB.id));
        assertSame(DB, t.find("db"));
        assertSame(DB, t.find("/db"));
        assertSame(DB, t.find("abc2"));
        assertSame(LOG, t.find("f"));
    }

    @Test
    void anExactNameWinsOverAnIdPrefix() throws EngineException {
        // "abc1" is LOG's name and a prefix of WEB's id: the name is found, as dockerd finds it
        assertSame(LOG, table().find("abc1"));
    }

    @Test
    void anExactNameWinsEvenOverAPrefixSeveralIdsShare() throws EngineException {
        // "abc" is a prefix of WEB's and DB's ids and the name of a third: in whatever order the
        // table holds them, the name is found, never "multiple IDs" (the map's order once decided it)
        Container named = container("beef" + "0".repeat(60), "abc");
        for (List<Container> order : List.of(List.of(WEB, DB, named), List.of(named, WEB, DB), List.of(DB, named, WEB))) {
            assertSame(named, new ContainerTable(order).find("abc"));
        }
    }

    @Test
    void anAmbiguousPrefixIsTheRequestsFault() {
        EngineException e = assertThrows(EngineException.class, () -> table().find("abc"));
        assertEquals(EngineException.Kind.INVALID, e.kind());
        assertEquals("multiple IDs found with provided prefix: abc", e.getMessage());
    }

    @Test
    void anUnknownReferenceIsNotFound() {
        EngineException e = assertThrows(EngineException.class, () -> table().find("nope"));
        assertEquals(EngineException.Kind.NOT_FOUND, e.kind());
        assertEquals("No such container: nope", e.getMessage());
    }

    @Test
    void anUnknownContainerNamedInAnotherRequestIsA400() throws EngineException {
        EngineException e = assertThrows(EngineException.class, () -> table().find("nope", "network container"));
        assertEquals(EngineException.Kind.INVALID, e.kind());
        assertEquals("network container: No such container: nope", e.getMessage());
        assertSame(DB, table().find("db", "network container"));
    }

    @Test
    void anEmptyReferenceIsNotAPrefixOfEveryId() {
        assertEquals(EngineException.Kind.NOT_FOUND,
                assertThrows(EngineException.class, () -> table().find("")).kind());
        assertEquals(EngineException.Kind.NOT_FOUND,
                assertThrows(EngineException.class, () -> table().find("/")).kind());
    }

    @Test
    void createNamesLoseTheirSlashAndFollowDockersPattern() throws EngineException {
        assertEquals("web", ContainerTable.checkedName("/web"));
        assertEquals("a", ContainerTable.checkedName("a")); // one character: moby asks for two (a deviation)
        assertNull(ContainerTable.checkedName(null));
        assertEquals("", ContainerTable.checkedName(""));
        EngineException e = assertThrows(EngineException.class, () -> ContainerTable.checkedName("_web"));
        assertEquals(EngineException.Kind.INVALID, e.kind());
        assertEquals("Invalid container name (_web), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", e.getMessage());
        assertThrows(EngineException.class, () -> ContainerTable.checkedName("we b"));
    }

    @Test
    void registerGivesANewIdAndANameFromItWhenNoneIsAsked() throws EngineException {
        ContainerTable t = table();
        Container c = t.register(null, ContainerTableTest::container);
        assertEquals(64, c.id.length());
        assertEquals("skiff_" + c.id.substring(0, 8), c.name);
        assertSame(c, t.get(c.id));
        assertTrue(t.contains(c.id));
        assertEquals(4, t.size());
    }

    @Test
    void registerRefusesANameInUse() {
        ContainerTable t = table();
        EngineException e = assertThrows(EngineException.class, () -> t.register("web", (id, name) -> {
            throw new AssertionError("made a container under a name in use");
        }));
        assertEquals(EngineException.Kind.CONFLICT, e.kind());
        assertEquals("Conflict. The container name \"/web\" is already in use by container \"" + WEB.id
                + "\". You have to remove (or rename) that container to be able to reuse that name.", e.getMessage());
        assertEquals(3, t.size());
    }

    @Test
    void aContainerTheFactoryCannotMakeIsNotAdded() {
        ContainerTable t = table();
        assertThrows(EngineException.class, () -> t.register("new", (id, name) -> {
            throw EngineException.invalid("cannot save");
        }));
        assertEquals(3, t.size());
        assertThrows(EngineException.class, () -> t.find("new"));
    }

    @Test
    void ofConcurrentCreatesWithOneNameOneWins() throws Exception {
        ContainerTable t = new ContainerTable(List.of());
        int n = 8;
        CyclicBarrier together = new CyclicBarrier(n);
        AtomicInteger conflicts = new AtomicInteger();
        List<Future<Container>> made = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            for (int i = 0; i < n; i++) {
                made.add(pool.submit(() -> {
                    together.await();
                    try {
                        return t.register("same", (id, name) -> {
                            Thread.onSpinWait(); // stands for the save, in the window a second create would slip through
                            Thread.yield();
                            return container(id, name);
                        });
                    } catch (EngineException e) {
                        assertEquals(EngineException.Kind.CONFLICT, e.kind());
                        conflicts.incrementAndGet();
                        return null;
                    }
                }));
            }
        }
        long won = 0;
        for (Future<Container> f : made) {
            won += f.get() == null ? 0 : 1;
        }
        assertEquals(1, won);
        assertEquals(n - 1, conflicts.get());
        assertEquals(1, t.size());
    }

    @Test
    void renameTellsTheOldNameAndFreesIt() throws EngineException {
        ContainerTable t = new ContainerTable(List.of(container("1".repeat(64), "old"), container("2".repeat(64), "x")));
        Container c = t.find("old");
        List<String> told = new ArrayList<>();
        t.rename(c, "/new", told::add);
        assertEquals("new", c.name);
        assertEquals(List.of("old"), told);
        assertSame(c, t.find("new"));
        assertThrows(EngineException.class, () -> t.find("old"));
        assertEquals("old", t.register("old", ContainerTableTest::container).name); // the old name is free again
    }

    @Test
    void renameRefusesAnotherContainersNameItsOwnAndBadNames() throws EngineException {
        ContainerTable t = new ContainerTable(List.of(container("1".repeat(64), "a1"), container("2".repeat(64), "b2")));
        Container c = t.find("a1");
        List<String> told = new ArrayList<>();
        EngineException taken = assertThrows(EngineException.class, () -> t.rename(c, "b2", told::add));
        assertEquals(EngineException.Kind.CONFLICT, taken.kind());
        assertTrue(taken.getMessage().contains("\"/b2\" is already in use by container \"" + "2".repeat(64)));
        EngineException same = assertThrows(EngineException.class, () -> t.rename(c, "a1", told::add));
        assertEquals("Renaming a container with the same name as its current name", same.getMessage());
        // rename asks for two characters (moby's pattern), unlike create
        EngineException shortName = assertThrows(EngineException.class, () -> t.rename(c, "z", told::add));
        assertEquals("Invalid container name (z), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", shortName.getMessage());
        assertThrows(EngineException.class, () -> t.rename(c, null, told::add));
        assertThrows(EngineException.class, () -> t.rename(c, "-x", told::add));
        assertEquals("a1", c.name);
        assertEquals(List.of(), told);
    }

    @Test
    void theVmOfAContainerIsKeptAndForgotten() {
        ContainerTable t = table();
        assertNull(t.vm(WEB.id));
        assertNull(t.unplace(WEB.id));
        t.remove(WEB.id);
        assertNull(t.get(WEB.id));
        assertEquals(2, t.all().size());
    }
}
