package dev.skiff.registry;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ChallengeTest {
    @Test
    void bearerWithAllParameters() {
        List<Challenge> cs = Challenge.parse(List.of("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/busybox:pull\",error=\"insufficient_scope\""));
        assertEquals(List.of(new Challenge("bearer", Map.of("realm", "https://auth.docker.io/token",
                "service", "registry.docker.io", "scope", "repository:library/busybox:pull",
                "error", "insufficient_scope"))), cs);
    }

    @Test
    void basicAndEscapesAndSpaces() {
        List<Challenge> cs = Challenge.parse(List.of("Basic realm=\"say \\\"hi\\\", then \\\\ go\""));
        assertEquals("say \"hi\", then \\ go", cs.getFirst().param("realm"));
        assertEquals("basic", cs.getFirst().scheme());
        assertEquals("x", Challenge.parse(List.of("BASIC   Realm = x")).getFirst().param("realm"));
    }

    @Test
    void severalChallengesInOneHeaderAndAcrossHeaders() {
        List<Challenge> cs = Challenge.parse(List.of("Basic realm=\"a\", Bearer realm=\"https://t/token\",service=s",
                "Negotiate"));
        assertEquals(List.of("basic", "bearer", "negotiate"), cs.stream().map(Challenge::scheme).toList());
        assertEquals("https://t/token", cs.get(1).param("realm"));
        assertEquals("s", cs.get(1).param("service"));
        assertEquals("bearer", Challenge.preferred(cs).scheme());
        assertEquals("basic", Challenge.preferred(cs.subList(0, 1)).scheme());
    }

    @Test
    void bareUrlsAndGarbage() {
        assertEquals("http://127.0.0.1:5002/token", Challenge.parse(List.of("Bearer realm=http://127.0.0.1:5002/token"))
                .getFirst().param("realm"));
        assertEquals(List.of(), Challenge.parse(List.of("", "   ,,")));
        assertNull(Challenge.preferred(Challenge.parse(List.of("Bearer realm=\"unterminated"))).param("realm"));
    }
}
