package dev.skiff.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.engine.api.Backend.ImageConfig;
import dev.skiff.engine.api.EngineException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChangesTest {
    private static final ImageConfig EMPTY = new ImageConfig(List.of("A=0"), List.of(), List.of(), "", "", Map.of(),
            List.of());

    @Test
    void appliesDockerfileInstructions() throws EngineException {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("CMD", "[\"sh\", \"-c\", \"echo hi\"]");
        c.put("entrypoint", "/entry.sh --flag");
        c.put("ENV", "A=1 B=\"two words\" C=x\\ y");
        c.put("WORKDIR", "/srv/app");
        c.put("USER", "1000:1000");
        c.put("LABEL", "org.example=yes");
        c.put("EXPOSE", "80 53/udp");
        ImageConfig r = Changes.apply(EMPTY, c);
        assertEquals(List.of("sh", "-c", "echo hi"), r.cmd());
        assertEquals(List.of("/bin/sh", "-c", "/entry.sh --flag"), r.entrypoint());
        assertEquals(List.of("A=1", "B=two words", "C=x y"), r.env());
        assertEquals("/srv/app", r.workingDir());
        assertEquals("1000:1000", r.user());
        assertEquals(Map.of("org.example", "yes"), r.labels());
        assertEquals(List.of("53/udp", "80/tcp"), r.exposedPorts());
    }

    @Test
    void legacyEnvFormAndShellFormCmd() throws EngineException {
        ImageConfig r = Changes.apply(EMPTY, Map.of("ENV", "GREETING hello world", "CMD", "echo $GREETING"));
        assertEquals(List.of("A=0", "GREETING=hello world"), r.env());
        assertEquals(List.of("/bin/sh", "-c", "echo $GREETING"), r.cmd());
    }

    @Test
    void unknownInstructionIsInvalid() {
        EngineException e = assertThrows(EngineException.class, () -> Changes.apply(EMPTY, Map.of("RUN", "rm -rf /")));
        assertEquals(EngineException.Kind.INVALID, e.kind());
        assertEquals("RUN is not a valid change command", e.getMessage());
    }
}
