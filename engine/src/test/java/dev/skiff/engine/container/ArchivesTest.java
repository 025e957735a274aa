package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.agent.api.ArchivePaths;
import org.junit.jupiter.api.Test;

/** The paths docker cp may name, cleaned as moby cleans them before resolving them in the container. */
class ArchivesTest {
    @Test
    void pathsAreMadeAbsoluteAndCleanWithTheirTrailingSlashOrDotKept() {
        assertEquals("/etc/passwd", ArchivePaths.absolute("etc/passwd"));
        assertEquals("/etc/", ArchivePaths.absolute("/etc/"));
        assertEquals("/etc/.", ArchivePaths.absolute("/etc/."));
        assertEquals("/", ArchivePaths.absolute("/"));
        assertEquals("/.", ArchivePaths.absolute("."));
        assertEquals("/b", ArchivePaths.absolute("/a/../b"));
        assertEquals("/etc", ArchivePaths.absolute("/../../etc"), "'..' stops at the root, lexically");
        assertEquals("/x/", ArchivePaths.absolute("//x//"));
    }

    @Test
    void badPathsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ArchivePaths.absolute(""));
        assertThrows(IllegalArgumentException.class, () -> ArchivePaths.absolute("/a\0b"));
        assertThrows(IllegalArgumentException.class, () -> ArchivePaths.absolute("/" + "a".repeat(ArchivePaths.MAX_PATH)));
    }

    @Test
    void baseIsGosFilepathBase() {
        assertEquals("passwd", ArchivePaths.base("/etc/passwd"));
        assertEquals("etc", ArchivePaths.base("/etc/"));
        assertEquals(".", ArchivePaths.base("/etc/."));
        assertEquals("/", ArchivePaths.base("/"));
    }

    @Test
    void agentAnswersBecomeDockersErrors() {
        var notFound = Archives.map(new java.io.IOException("connection reset"), "box", "/x");
        assertEquals(dev.skiff.engine.api.EngineException.Kind.INTERNAL, notFound.kind());
    }
}
