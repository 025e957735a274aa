package dev.skiff.engine.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.engine.api.EngineException;
import org.junit.jupiter.api.Test;

class IpamTest {
    @Test
    void allocatesAboveTheGatewayReusesReleasedAndKeepsReserved() throws Exception {
        Ipam ipam = new Ipam("172.17.0.0/16", "172.17.0.1");
        assertEquals("172.17.0.2", ipam.allocate());
        assertEquals("172.17.0.3", ipam.allocate());
        ipam.release("172.17.0.2");
        ipam.reserve("172.17.0.4");
        assertEquals("172.17.0.2", ipam.allocate());
        assertEquals("172.17.0.5", ipam.allocate());
        assertEquals(16, ipam.prefixLength());
    }

    @Test
    void aFullSubnetIsAClearConflictAndTheGatewayIsNeverGiven() throws Exception {
        Ipam ipam = new Ipam("10.9.0.0/30", "10.9.0.1"); // .0 network, .1 gateway, .2 host, .3 broadcast
        assertEquals("10.9.0.2", ipam.allocate());
        EngineException e = assertThrows(EngineException.class, ipam::allocate);
        assertEquals(EngineException.Kind.CONFLICT, e.kind());
        ipam.release("10.9.0.1");
        assertThrows(EngineException.class, ipam::allocate);
    }

    @Test
    void macIsDockersForTheAddress() {
        assertEquals("02:42:ac:11:00:02", Ipam.macFor("172.17.0.2"));
    }
}
