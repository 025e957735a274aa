package dev.skiff.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.engine.api.Backend.EndpointRequest;
import dev.skiff.engine.api.Backend.NetworkSpec;
import dev.skiff.engine.api.EngineException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What docker create's network fields become, before anything runs. */
class NetworkingCheckTest {
    private final Networking networking;

    NetworkingCheckTest() throws Exception {
        networking = new Networking(new NetworkRegistry(null), Fabric.NONE);
    }

    private static NetworkSpec spec(String mode, Map<String, EndpointRequest> endpoints) {
        return new NetworkSpec(mode, Map.of(), List.of(), false, List.of(), endpoints);
    }

    @Test
    void theCliesDefaultNetworkIsTheBridgeInTheModeAndInEndpointsConfig() throws Exception {
        NetworkSpec n = networking.check(spec("default", Map.of("default", new EndpointRequest(List.of("x"), ""))),
                List.of("80/tcp"));
        assertEquals("bridge", n.mode());
        assertEquals(List.of("bridge"), Networking.networksOf(n));
        assertEquals(List.of("80/tcp"), n.exposedPorts());
        assertEquals("bridge", networking.check(spec("", Map.of()), List.of()).mode());
    }

    @Test
    void unknownNetworksAndBadCombinationsAreRefused() throws Exception {
        assertEquals(EngineException.Kind.INVALID, assertThrows(EngineException.class,
                () -> networking.check(spec("nosuch", Map.of()), List.of())).kind());
        assertEquals(EngineException.Kind.INVALID, assertThrows(EngineException.class,
                () -> networking.check(spec("bridge", Map.of("nosuch", EndpointRequest.NONE)), List.of())).kind());
        assertThrows(EngineException.class, () -> networking.check(spec("host", Map.of("bridge", EndpointRequest.NONE)),
                List.of()));
        assertEquals("container:abc", networking.check(spec("container:abc", Map.of()), List.of()).mode(),
                "the engine checks the other container");
        assertThrows(EngineException.class, () -> networking.check(new NetworkSpec("container:abc",
                Map.of("80/tcp", List.of()), List.of(), false, List.of(), Map.of()), List.of()));
        assertThrows(EngineException.class, () -> networking.check(new NetworkSpec("container:abc",
                Map.of(), List.of(), false, List.of("a:1.2.3.4"), Map.of()), List.of()));
        assertThrows(EngineException.class, () -> networking.check(new NetworkSpec("none",
                Map.of("80/tcp", List.of()), List.of(), false, List.of(), Map.of()), List.of()));
    }
}
