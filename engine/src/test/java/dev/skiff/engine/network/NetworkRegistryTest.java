package dev.skiff.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.Backend.NetworkCreate;
import dev.skiff.engine.api.EngineException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NetworkRegistryTest {
    @TempDir
    Path dir;

    private static NetworkCreate create(String name, String subnet, String gateway) {
        return new NetworkCreate(name, "", subnet, gateway, false, false, Map.of("k", "v"), Map.of(), true);
    }

    @Test
    void userNetworksTakeDockersPoolsInOrderAndSurviveARestart() throws Exception {
        // names with letters beyond hex: a one-letter name like "a" could also be a prefix of the other's random id
        NetworkRegistry r = new NetworkRegistry(dir);
        NetworkRegistry.Net a = r.create(create("alpha", "", ""));
        NetworkRegistry.Net b = r.create(create("bravo", "", ""));
        assertEquals("172.18.0.0/16", a.meta().subnet());
        assertEquals("172.18.0.1", a.meta().gateway());
        assertEquals("172.19.0.0/16", b.meta().subnet());
        assertEquals("172.18.255.254", a.dnsAddress(), "the daemon answers DNS on the last address");
        assertEquals("br-" + a.id().substring(0, 12), a.device());
        assertEquals("172.18.0.2", a.ipam().allocate());

        NetworkRegistry again = new NetworkRegistry(dir);
        assertEquals(a.id(), again.find("alpha").id());
        assertEquals(Map.of("k", "v"), again.find(a.id().substring(0, 6)).meta().labels());
        again.remove("alpha", n -> false);
        assertThrows(EngineException.class, () -> new NetworkRegistry(dir).find("alpha"));
        assertEquals("172.18.0.0/16", new NetworkRegistry(dir).create(create("charlie", "", "")).meta().subnet(),
                "a removed network's pool is free again");
    }

    @Test
    void badAndOverlappingSubnetsAndBuiltinsAreRefused() throws Exception {
        NetworkRegistry r = new NetworkRegistry(dir);
        r.create(create("x", "10.50.0.0/16", ""));
        for (NetworkCreate bad : new NetworkCreate[] {create("y", "10.50.3.0/24", ""), create("y", "10.0.2.0/24", ""),
                create("y", "10.60.0.1/16", ""), create("y", "10.60.0.0/33", ""), create("y", "nonsense", ""),
                create("y", "10.61.0.0/24", "10.62.0.1"), create("y", "10.61.0.0/24", "10.61.0.254"),
                create("bad name", "", ""), create("x", "", "")}) {
            assertThrows(EngineException.class, () -> r.create(bad), bad.toString());
        }
        assertEquals(EngineException.Kind.INVALID, assertThrows(EngineException.class,
                () -> r.remove("bridge", n -> false)).kind());
        assertEquals(EngineException.Kind.CONFLICT, assertThrows(EngineException.class,
                () -> r.remove("x", n -> true)).kind());
        assertEquals(EngineException.Kind.NOT_FOUND, assertThrows(EngineException.class, () -> r.find("nosuch")).kind());
        assertTrue(r.find("bridge").builtin());
    }

    @Test
    void aFixedAddressIsTakenOnceAndOnlyInsideTheSubnet() throws Exception {
        Ipam ipam = new Ipam("10.70.0.0/24", "10.70.0.1");
        assertEquals("10.70.0.50", ipam.take("10.70.0.50"));
        assertEquals(EngineException.Kind.CONFLICT, assertThrows(EngineException.class, () -> ipam.take("10.70.0.50")).kind());
        assertEquals(EngineException.Kind.INVALID, assertThrows(EngineException.class, () -> ipam.take("10.71.0.5")).kind());
        assertEquals(EngineException.Kind.CONFLICT, assertThrows(EngineException.class, () -> ipam.take("10.70.0.1")).kind());
    }
}
