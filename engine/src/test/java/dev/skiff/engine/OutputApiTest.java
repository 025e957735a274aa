package dev.skiff.engine;

import static dev.skiff.engine.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.Backend.Attachment;
import dev.skiff.engine.api.Backend.CreateSpec;
import dev.skiff.engine.api.Backend.LogOptions;
import dev.skiff.engine.api.Backend.StreamType;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.container.Container;
import dev.skiff.engine.container.Frame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker logs over a container's output hub: tail, streams, and the tail values it takes. */
class OutputApiTest {
    @TempDir
    Path dir;

    private Container ran(String... lines) {
        CreateSpec spec = new CreateSpec("busybox", List.of("true"), null, List.of(), "", "", "", false, false, false,
                Map.of(), List.of(), false, "", null, null, null, null, null);
        Container c = new Container("a".repeat(64), "c", Instant.EPOCH, "busybox", "sha256:x", List.of(), spec,
                List.of("true"), List.of(), "/", 0, 0, "c", dir);
        c.output.begin();
        long t = 1;
        for (String line : lines) {
            StreamType type = line.startsWith("!") ? StreamType.STDERR : StreamType.STDOUT;
            c.output.publish(new Frame(type, t++, (line + "\n").getBytes(StandardCharsets.UTF_8)));
        }
        c.output.end();
        return c;
    }

    private static List<String> logs(Container c, boolean stdout, boolean stderr, String tail)
            throws EngineException, IOException {
        List<String> got = new ArrayList<>();
        OutputApi.logs(c, new LogOptions(stdout, stderr, false, false, tail, null, null))
                .pump((type, data, off, len) -> got.add((type == StreamType.STDERR ? "err:" : "out:")
                        + new String(data, off, len, StandardCharsets.UTF_8).strip()));
        return got;
    }

    /** The API server closes a follow whose client went: the pump returns and the hub forgets it. */
    @Test
    void closingAFollowOfASilentContainerEndsItsPumpAndSubscription() throws Exception {
        Container c = ran("a");
        c.output.begin(); // running again, and printing nothing more
        Attachment follow = OutputApi.logs(c, new LogOptions(true, true, true, false, "all", null, null));
        assertEquals(1, c.output.subscriberCount());
        List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread pump = Thread.ofVirtual().start(() -> {
            try {
                follow.pump((type, data, off, len) -> got.add(new String(data, off, len, StandardCharsets.UTF_8)));
            } catch (IOException e) {
                got.add("failed: " + e);
            }
        });
        assertTrue(eventually(() -> got.size() == 1), "the replay came: " + got);
        follow.close();
        assertTrue(pump.join(java.time.Duration.ofSeconds(10)), "the pump returned");
        assertEquals(0, c.output.subscriberCount());
        assertEquals(List.of("a\n"), got);
    }

    @Test
    void allOfItByDefault() throws Exception {
        Container c = ran("a", "!b", "c");
        assertEquals(List.of("out:a", "err:!b", "out:c"), logs(c, true, true, null));
        assertEquals(List.of("out:a", "err:!b", "out:c"), logs(c, true, true, "all"));
        assertEquals(List.of("out:a", "err:!b", "out:c"), logs(c, true, true, ""));
    }

    @Test
    void theLastLinesWithATail() throws Exception {
        Container c = ran("a", "!b", "c");
        assertEquals(List.of("err:!b", "out:c"), logs(c, true, true, "2"));
        assertEquals(List.of(), logs(c, true, true, "0"));
    }

    @Test
    void onlyTheStreamsAskedFor() throws Exception {
        Container c = ran("a", "!b", "c");
        assertEquals(List.of("out:a", "out:c"), logs(c, true, false, null));
        assertEquals(List.of("err:!b"), logs(c, false, true, null));
    }

    @Test
    void aTailIsAWholeNumberANegativeOneIsZero() throws EngineException {
        assertEquals(5, OutputApi.parseTail("5"));
        assertEquals(0, OutputApi.parseTail("-3"));
        EngineException e = assertThrows(EngineException.class, () -> OutputApi.parseTail("ten"));
        assertEquals(EngineException.Kind.INVALID, e.kind());
        assertEquals("invalid value for \"tail\": ten", e.getMessage());
    }
}
