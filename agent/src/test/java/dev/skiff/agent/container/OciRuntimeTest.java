package dev.skiff.agent.container;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the runtime's JSON log, in the two shapes crun and runc write it; choosing the runtime. */
class OciRuntimeTest {
    @TempDir
    Path dir;

    @Test
    void crunsBackToBackObjectsGiveTheLastError() throws Exception {
        // crun 1.8.1's own output, one call after another into one file, no newline between them.
        Path log = Files.writeString(dir.resolve("crun.log"),
                "{\"msg\":\"cannot open directory '/run/crun/x': No such file or directory\",\"level\":\"error\","
                        + "\"time\":\"2026-12-05T15:20:13.410444Z\"}"
                        + "{\"msg\":\"a warning {with braces}\",\"level\":\"warning\",\"time\":\"t\"}"
                        + "{\"msg\":\"executable file `nosuch` not found in $PATH: No such \\\"file\\\"\",\"level\":\"error\","
                        + "\"time\":\"t\"}"
                        + "{\"msg\":\"later info\",\"level\":\"info\",\"time\":\"t\"}");
        assertEquals("executable file `nosuch` not found in $PATH: No such \"file\"", OciRuntime.lastError(log));
    }

    @Test
    void runcsLinesGiveTheLastError() throws Exception {
        Path log = Files.writeString(dir.resolve("runc.log"),
                "{\"level\":\"error\",\"msg\":\"first\",\"time\":\"t\"}\n"
                        + "{\"level\":\"fatal\",\"msg\":\"exec: \\\"nosuch\\\": executable file not found in $PATH\",\"time\":\"t\"}\n");
        assertEquals("exec: \"nosuch\": executable file not found in $PATH", OciRuntime.lastError(log));
    }

    @Test
    void aLogWithoutErrorsOrObjectsSaysWhatItHas() throws Exception {
        assertEquals("no message", OciRuntime.lastError(Files.writeString(dir.resolve("empty.log"), "")));
        assertEquals("not json at all", OciRuntime.lastError(Files.writeString(dir.resolve("text.log"), "not json at all\n")));
        assertEquals("{\"msg\":\"only info\",\"level\":\"info\"}",
                OciRuntime.lastError(Files.writeString(dir.resolve("info.log"), "{\"msg\":\"only info\",\"level\":\"info\"}")));
        assertEquals(true, OciRuntime.lastError(dir.resolve("missing.log")).startsWith("no log ("));
    }

    @Test
    void crunUnlessTheHostAskedForRunc() {
        assertEquals(OciRuntime.CRUN, OciRuntime.choose(Map.of()));
        assertEquals(OciRuntime.CRUN, OciRuntime.choose(Map.of("SKIFF_OCI_RUNTIME", "something-else")));
        assertEquals(OciRuntime.RUNC, OciRuntime.choose(Map.of("SKIFF_OCI_RUNTIME", "runc")));
    }
}
