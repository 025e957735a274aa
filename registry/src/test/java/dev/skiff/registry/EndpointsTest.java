package dev.skiff.registry;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointsTest {
    private final Endpoints endpoints = new Endpoints(new RegistryConfig(List.of("https://mirror.invalid:5000", "m2.invalid"),
            List.of("reg.invalid:5000", "10.1.0.0/16", "insecure.invalid"), null, 5,
            RegistryConfig.defaults().connectTimeout(), RegistryConfig.defaults().idleTimeout()));

    @Test
    void loopbackListedAndCidrAreInsecure() {
        assertTrue(endpoints.insecure("127.0.0.1:5000"));
        assertTrue(endpoints.insecure("127.3.4.5"));
        assertTrue(endpoints.insecure("[::1]:5000"));
        assertTrue(endpoints.insecure("localhost:5000"));
        assertTrue(endpoints.insecure("reg.invalid:5000"));
        assertFalse(endpoints.insecure("reg.invalid:5001"));
        assertTrue(endpoints.insecure("insecure.invalid:443"));
        assertTrue(endpoints.insecure("10.1.200.3:5000"));
        assertFalse(endpoints.insecure("10.2.0.1:5000"));
        assertFalse(endpoints.insecure("registry-1.docker.io"));
    }

    @Test
    void hubPullsGoToMirrorsFirstPushesNever() {
        assertEquals(List.of(new Endpoints.Endpoint("mirror.invalid:5000", "https", true),
                new Endpoints.Endpoint("m2.invalid", "https", true),
                new Endpoints.Endpoint("registry-1.docker.io", "https", false)), endpoints.forRegistry("docker.io", false));
        assertEquals(List.of(new Endpoints.Endpoint("registry-1.docker.io", "https", false)),
                endpoints.forRegistry("docker.io", true));
        assertEquals(List.of(new Endpoints.Endpoint("r.invalid:5000", null, false)),
                endpoints.forRegistry("r.invalid:5000", false));
    }

    @Test
    void loginServerAddresses() {
        assertEquals("docker.io", Endpoints.registryOfServerAddress("https://index.docker.io/v1/"));
        assertEquals("docker.io", Endpoints.registryOfServerAddress(""));
        assertEquals("docker.io", Endpoints.registryOfServerAddress(null));
        assertEquals("127.0.0.1:5000", Endpoints.registryOfServerAddress("http://127.0.0.1:5000/v2/"));
        assertEquals("127.0.0.1:5000", Endpoints.registryOfServerAddress("127.0.0.1:5000"));
    }

    @Test
    void namesInMessages() {
        assertEquals("busybox", Endpoints.displayName("docker.io", "library/busybox"));
        assertEquals("user/img", Endpoints.displayName("docker.io", "user/img"));
        assertEquals("127.0.0.1:5000/test/img", Endpoints.displayName("127.0.0.1:5000", "test/img"));
    }
}
