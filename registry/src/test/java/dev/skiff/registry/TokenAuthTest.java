package dev.skiff.registry;

import dev.skiff.registry.testing.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A docker-registry with token auth (the realm is {@link TokenServer}) whose redirect middleware sends blob GETs
 * to {@link BlobFileServer}, which must never see an Authorization header.
 */
class TokenAuthTest {
    @TempDir
    static Path tmp;
    static TokenServer tokens;
    static BlobFileServer blobs;
    static TestRegistry registry;
    static final Credentials RIGHT = new Credentials("testuser", "testpass", null, null, null);

    @BeforeAll
    static void start() throws Exception {
        tokens = new TokenServer(tmp, "testuser", "testpass");
        Path dir = tmp.resolve("registry");
        blobs = new BlobFileServer(dir.resolve("data"));
        registry = TestRegistry.start(dir, tokens.registryYaml() + blobs.middlewareYaml());
        OciLayout.write(tmp.resolve("img"), "t", "amd64", PullTest.AMD_FILES);
        Skopeo.push(tmp.resolve("img"), "t", registry.host() + "/test/img:latest", "oci", "gzip",
                "testuser:testpass");
    }

    @BeforeEach
    void forget() {
        tokens.requests.clear();
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
        if (blobs != null) {
            blobs.close();
        }
        if (tokens != null) {
            tokens.close();
        }
    }

    @Test
    void pullsThroughRedirectsWithoutLeakingAuthorization() throws Exception {
        try (RegistryClient client = new RegistryClient(RegistryConfig.defaults())) {
            Repository repo = client.repository(registry.host(), "test/img", RIGHT, false);
            ResolvedManifest r = repo.resolve("latest", null);
            byte[] config = repo.readBlob(r.manifest().config(), 1 << 20);
            assertEquals(r.manifest().config().size(), config.length);
            try (InputStream in = repo.openBlob(r.manifest().layers().getFirst(), BlobListener.NONE)) {
                assertEquals(r.manifest().layers().getFirst().size(), in.readAllBytes().length);
            }
            assertEquals(2, blobs.served.size(), "both blobs came from the redirect target");
            assertEquals(List.of(), blobs.authorizations, "Authorization crossed to another host");
            // One token for the one scope, however many requests used it; asked with Basic and account=.
            assertEquals(1, tokens.requests.size());
            TokenServer.Seen seen = tokens.requests.getFirst();
            Map<String, List<String>> q = TokenServer.query(seen.query());
            assertEquals(List.of("testuser"), q.get("account"));
            assertEquals(List.of(TokenServer.SERVICE), q.get("service"));
            assertEquals(List.of("repository:test/img:pull"), q.get("scope"));
            assertTrue(seen.authorization().startsWith("Basic "));
            // A second repository of the same client shares the cached token.
            client.repository(registry.host(), "test/img", RIGHT, false).resolve("latest", null);
            assertEquals(1, tokens.requests.size());
        }
    }

    @Test
    void anonymousGetsNoAccessAndDockersText() throws Exception {
        try (RegistryClient client = new RegistryClient(RegistryConfig.defaults())) {
            RegistryException e = assertThrows(RegistryException.class, () -> client.repository(
                    registry.host(), "test/img", Credentials.ANONYMOUS, false).resolve("latest", null));
            assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
            assertTrue(e.getMessage().startsWith("pull access denied for " + registry.host() + "/test/img, "
                    + "repository does not exist or may require 'docker login': "), e.getMessage());
            // The 401 while holding a token brings exactly one new token request; none carries credentials.
            assertEquals(2, tokens.requests.size());
            assertTrue(tokens.requests.stream().allMatch(s -> s.authorization() == null));
        }
    }

    @Test
    void identityAndRegistryTokens() throws Exception {
        try (RegistryClient client = new RegistryClient(RegistryConfig.defaults())) {
            Credentials identity = new Credentials(null, null, TokenServer.REFRESH, null, null);
            client.repository(registry.host(), "test/img", identity, false).resolve("latest", null);
            TokenServer.Seen grant = tokens.requests.getFirst();
            assertEquals("POST", grant.method());
            Map<String, List<String>> form = TokenServer.query(grant.form());
            assertEquals(List.of("refresh_token"), form.get("grant_type"));
            assertEquals(List.of("docker"), form.get("client_id"));
            assertEquals(List.of("repository:test/img:pull"), form.get("scope"));
        }
    }

    @Test
    void loginAsksForARefreshToken() throws Exception {
        try (RegistryClient client = new RegistryClient(RegistryConfig.defaults())) {
            String identity = client.login(new Credentials("testuser", "testpass", null, null,
                    "http://" + registry.host()));
            assertEquals(TokenServer.REFRESH, identity);
            Map<String, List<String>> q = TokenServer.query(tokens.requests.getFirst().query());
            assertEquals(List.of("true"), q.get("offline_token"));
            assertEquals(List.of("docker"), q.get("client_id"));
            assertEquals(List.of("testuser"), q.get("account"));
            assertNull(q.get("scope"));

            RegistryException e = assertThrows(RegistryException.class, () -> client.login(
                    new Credentials("testuser", "wrong", null, null, registry.host())));
            assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
            assertEquals("Get \"" + tokens.realm() + "?account=testuser&client_id=docker&offline_token=true&service="
                    + TokenServer.SERVICE + "\": unauthorized: incorrect username or password", e.getMessage());
        }
    }

    @Test
    void pushWithTokenScopes() throws Exception {
        try (RegistryClient client = new RegistryClient(RegistryConfig.defaults())) {
            byte[] blob = "token push".getBytes();
            Descriptor d = new Descriptor("application/octet-stream", Digests.of(blob), blob.length);
            Repository repo = client.repository(registry.host(), "test/pushed", RIGHT, true);
            assertFalse(repo.hasBlob(d.digest()));
            repo.pushBlob(d, () -> new java.io.ByteArrayInputStream(blob), BlobListener.NONE);
            assertTrue(repo.hasBlob(d.digest()));
            assertTrue(tokens.requests.stream().anyMatch(s -> s.query() != null
                    && TokenServer.query(s.query()).get("scope").contains("repository:test/pushed:pull,push")));
            assertEquals(List.of(), blobs.authorizations);
        }
    }
}
