package dev.skiff.engine.volume;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.EngineException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeStoreTest {
    @TempDir
    Path dir;

    @Test
    void createIsIdempotentAndSurvivesARestart() throws Exception {
        VolumeStore store = new VolumeStore(dir);
        VolumeStore.Volume v = store.create("pgdata", "local", Map.of("app", "db"), Map.of());
        assertSame(v, store.create("pgdata", "", Map.of(), Map.of()), "creating an existing volume returns it");
        assertEquals(dir.resolve("pgdata/_data"), v.mountpoint());
        Files.writeString(v.mountpoint().resolve("PG_VERSION"), "16\n");
        VolumeStore again = new VolumeStore(dir);
        assertEquals(Map.of("app", "db"), again.get("pgdata").labels());
        assertEquals("16\n", Files.readString(again.get("pgdata").mountpoint().resolve("PG_VERSION")));
    }

    @Test
    void anonymousVolumesHaveRandomHexNamesAndDockersLabel() throws Exception {
        VolumeStore store = new VolumeStore(dir);
        VolumeStore.Volume a = store.create(null, null, Map.of(), Map.of());
        assertTrue(a.name().matches("[0-9a-f]{64}"), a.name());
        assertTrue(a.anonymous());
        assertFalse(store.create("named", null, Map.of(), Map.of()).anonymous());
    }

    @Test
    void badNamesDriversAndOptionsAreRefusedWithDockersWords() throws Exception {
        VolumeStore store = new VolumeStore(dir);
        EngineException bad = assertThrows(EngineException.class, () -> store.create("a/b", null, Map.of(), Map.of()));
        assertTrue(bad.getMessage().contains("includes invalid characters for a local volume name"), bad.getMessage());
        assertEquals(EngineException.Kind.NOT_FOUND, assertThrows(EngineException.class,
                () -> store.create("x1", "nfs", Map.of(), Map.of())).kind());
        assertThrows(EngineException.class, () -> store.create("x1", "local", Map.of(), Map.of("type", "nfs")));
        assertEquals("get nosuch: no such volume", assertThrows(EngineException.class, () -> store.get("nosuch"))
                .getMessage());
    }

    @Test
    void removeIsRefusedWhileInUseThenDeletesTheData() throws Exception {
        VolumeStore store = new VolumeStore(dir);
        VolumeStore.Volume v = store.create("data", null, Map.of(), Map.of());
        Files.createDirectories(v.mountpoint().resolve("sub"));
        Files.writeString(v.mountpoint().resolve("sub/f"), "x");
        EngineException busy = assertThrows(EngineException.class, () -> store.remove("data", List.of("abc")));
        assertEquals(EngineException.Kind.CONFLICT, busy.kind());
        assertTrue(busy.getMessage().startsWith("remove data: volume is in use - [abc]"), busy.getMessage());
        store.remove("data", List.of());
        assertFalse(Files.exists(dir.resolve("data")));
        assertEquals(List.of(), new VolumeStore(dir).list());
    }
}
