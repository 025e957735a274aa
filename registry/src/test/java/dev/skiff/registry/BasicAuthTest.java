package dev.skiff.registry;

import dev.skiff.registry.testing.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A docker-registry with htpasswd (Basic) auth, reached over plain http on loopback. */
class BasicAuthTest {
    @TempDir
    static Path tmp;
    static TestRegistry registry;
    static RegistryClient client;
    static final Credentials RIGHT = new Credentials("testuser", "testpass", null, null, null);

    @BeforeAll
    static void start() throws Exception {
        String htpasswd = Tools.run(Tools.cmd(Tools.require("htpasswd", "apache2-utils"), "-Bbn", "testuser",
                "testpass"));
        Path file = tmp.resolve("htpasswd");
        Files.writeString(file, htpasswd.strip() + "\n");
        registry = TestRegistry.start(tmp.resolve("registry"), """
                auth:
                  htpasswd:
                    realm: skiff-test
                    path: %s
                """.formatted(file));
        OciLayout.write(tmp.resolve("img"), "t", "amd64", PullTest.AMD_FILES);
        Skopeo.push(tmp.resolve("img"), "t", registry.host() + "/test/img:latest", "oci", "gzip",
                "testuser:testpass");
        client = new RegistryClient(RegistryConfig.defaults());
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    void anonymousPullIsRefusedWithDockersText() {
        RegistryException e = assertThrows(RegistryException.class, () -> client.repository(registry.host(),
                "test/img", Credentials.ANONYMOUS, false).resolve("latest", null));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
        assertEquals("pull access denied for " + registry.host() + "/test/img, repository does not exist or may"
                + " require 'docker login': unauthorized: authentication required", e.getMessage());
    }

    @Test
    void wrongPasswordIsRefused() {
        Credentials wrong = new Credentials("testuser", "nope", null, null, null);
        RegistryException e = assertThrows(RegistryException.class, () -> client.repository(registry.host(),
                "test/img", wrong, false).resolve("latest", null));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
    }

    @Test
    void rightCredentialsFromTheClisHeaderPull() throws Exception {
        String json = "{\"auth\":\"" + Base64.getEncoder().encodeToString("testuser:testpass".getBytes(
                StandardCharsets.UTF_8)) + "\",\"serveraddress\":\"" + registry.host() + "\"}";
        Credentials creds = Credentials.fromHeader(Base64.getUrlEncoder().encodeToString(json.getBytes()));
        Repository repo = client.repository(registry.host(), "test/img", creds, false);
        ResolvedManifest r = repo.resolve("latest", null);
        try (InputStream in = repo.openBlob(r.manifest().layers().getFirst(), BlobListener.NONE)) {
            assertEquals(r.manifest().layers().getFirst().size(), in.readAllBytes().length);
        }
    }

    @Test
    void loginRightAndWrong() throws Exception {
        assertNull(client.login(new Credentials("testuser", "testpass", null, null, registry.host())));
        assertNull(client.login(new Credentials("testuser", "testpass", null, null,
                "http://" + registry.host() + "/v2/")));
        RegistryException e = assertThrows(RegistryException.class, () -> client.login(
                new Credentials("testuser", "wrong", null, null, registry.host())));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
        assertEquals("login attempt to http://" + registry.host() + "/v2/ failed with status: 401 Unauthorized",
                e.getMessage());
    }

    @Test
    void pushNeedsCredentials() throws Exception {
        byte[] blob = "basic push".getBytes(StandardCharsets.UTF_8);
        Descriptor d = new Descriptor("application/octet-stream", Digests.of(blob), blob.length);
        RegistryException e = assertThrows(RegistryException.class, () -> client.repository(registry.host(),
                "test/pushed", Credentials.ANONYMOUS, true).pushBlob(d, () -> new java.io.ByteArrayInputStream(blob),
                BlobListener.NONE));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
        Repository repo = client.repository(registry.host(), "test/pushed", RIGHT, true);
        repo.pushBlob(d, () -> new java.io.ByteArrayInputStream(blob), BlobListener.NONE);
        assertEquals(true, repo.hasBlob(d.digest()));
    }
}
