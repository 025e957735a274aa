package dev.skiff.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.Backend.NetworkSpec;
import dev.skiff.engine.api.Backend.PortBinding;
import dev.skiff.engine.api.EngineException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PortRequestsTest {
    private static NetworkSpec spec(Map<String, List<PortBinding>> bindings, List<String> exposed, boolean all) {
        return new NetworkSpec("bridge", bindings, exposed, all, List.of(), Map.of());
    }

    @Test
    void explicitBindingsKeepTheirAddressPortAndProtocol() throws Exception {
        Map<String, List<PortBinding>> b = new LinkedHashMap<>();
        b.put("80/tcp", List.of(new PortBinding("", "8080"), new PortBinding("127.0.0.1", "8081")));
        b.put("53/udp", List.of(new PortBinding("0.0.0.0", "")));
        List<PortRequests.Request> r = PortRequests.resolve(spec(b, List.of(), false));
        assertEquals(List.of(new PortRequests.Request("tcp", 80, "", 8080, 8080),
                new PortRequests.Request("tcp", 80, "127.0.0.1", 8081, 8081),
                new PortRequests.Request("udp", 53, "", 0, 0)), r);
    }

    @Test
    void publishAllAddsEveryExposedPortNotBoundAlready() throws Exception {
        Map<String, List<PortBinding>> b = Map.of("80/tcp", List.of(new PortBinding("", "9000")));
        List<PortRequests.Request> r = PortRequests.resolve(spec(b, List.of("80/tcp", "443/tcp", "5000/udp"), true));
        assertEquals(List.of(new PortRequests.Request("tcp", 80, "", 9000, 9000),
                new PortRequests.Request("tcp", 443, "", 0, 0), new PortRequests.Request("udp", 5000, "", 0, 0)), r);
        assertTrue(PortRequests.resolve(spec(Map.of(), List.of("80/tcp"), false)).isEmpty(), "exposed alone publishes nothing");
    }

    @Test
    void aHostPortRangeIsKept() throws Exception {
        List<PortRequests.Request> r = PortRequests.resolve(spec(Map.of("80", List.of(new PortBinding("", "8000-8010"))),
                List.of(), false));
        assertEquals(List.of(new PortRequests.Request("tcp", 80, "", 8000, 8010)), r);
    }

    @Test
    void badPortsAddressesAndProtocolsAreRefusedWithTheValue() {
        for (var bad : List.of(Map.of("80/tcp", List.of(new PortBinding("", "99999"))),
                Map.of("99999/tcp", List.of(new PortBinding("", "80"))),
                Map.of("0/tcp", List.of(new PortBinding("", "80"))),
                Map.of("80/tcp", List.of(new PortBinding("", "abc"))),
                Map.of("80/tcp", List.of(new PortBinding("", "9000-8000"))),
                Map.of("80/tcp", List.of(new PortBinding("::1", "80"))),
                Map.of("80/icmp", List.of(new PortBinding("", "80"))),
                Map.of("80/sctp", List.of(new PortBinding("", "80"))))) {
            EngineException e = assertThrows(EngineException.class, () -> PortRequests.validate(spec(bad, List.of(), false)),
                    bad.toString());
            assertEquals(EngineException.Kind.INVALID, e.kind(), bad.toString());
        }
        assertThrows(EngineException.class, () -> PortRequests.validate(spec(Map.of(), List.of("http"), false)));
    }
}
