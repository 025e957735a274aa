package dev.skiff.engine.network;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.EngineException;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostFilesTest {
    @Test
    void hostsNameTheContainerTheHostAndTheExtras() throws Exception {
        String hosts = HostFiles.hosts("web", "172.17.0.2", List.of("db:10.1.2.3", "gw:host-gateway"));
        assertTrue(hosts.contains("127.0.0.1\tlocalhost\n"), hosts);
        assertTrue(hosts.contains("172.17.0.2\tweb\n"), hosts);
        assertTrue(hosts.contains("10.0.2.2\thost.docker.internal\n"), hosts);
        assertTrue(hosts.contains("10.1.2.3\tdb\n"), hosts);
        assertTrue(hosts.contains("10.0.2.2\tgw\n"), hosts);
    }

    @Test
    void badExtraHostsAreRefused() {
        for (String bad : List.of("nocolon", ":1.2.3.4", "a b:1.2.3.4", "x:not-an-ip", "x:1.2.3.4\nevil")) {
            assertThrows(EngineException.class, () -> HostFiles.validate(List.of(bad)), bad);
        }
    }
}
