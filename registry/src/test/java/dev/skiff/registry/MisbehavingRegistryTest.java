package dev.skiff.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Registries that cut, stall, lie or redirect badly: {@link FakeRegistry}s, since a real one behaves. */
class MisbehavingRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] BLOB = new byte[300 * 1024];
    private static final Descriptor DESC;

    static {
        new Random(1).nextBytes(BLOB);
        DESC = new Descriptor(ImageManifest.OCI_LAYER_GZIP, Digests.of(BLOB), BLOB.length);
    }

    private RegistryClient client;
    private final List<FakeRegistry> fakes = new ArrayList<>();
    private final List<Exception> retries = new ArrayList<>();
    private final BlobListener listener = new BlobListener() {
        @Override
        public void retrying(int attempt, Duration wait, Exception cause) {
            retries.add(cause);
        }
    };

    @BeforeEach
    void client() throws IOException {
        client = new RegistryClient(new RegistryConfig(List.of(), List.of(), null, 3, Duration.ofSeconds(10),
                Duration.ofMillis(500)));
        client.retryBase(Duration.ofMillis(1));
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        for (FakeRegistry f : fakes) {
            f.close();
        }
    }

    private FakeRegistry fake(FakeRegistry.Handler h) throws Exception {
        FakeRegistry f = new FakeRegistry(null, FakeRegistry.withPing(h));
        fakes.add(f);
        return f;
    }

    private Repository repo(FakeRegistry f) {
        return client.repository(f.hostPort(), "test/img", Credentials.ANONYMOUS, false);
    }

    /** Serves BLOB from the Range start (206) when asked, else whole (200). */
    private static void serveFrom(FakeRegistry.Request r, FakeRegistry.Exchange ex, byte[] data) throws IOException {
        String range = r.header("Range");
        if (range == null) {
            ex.send(200, Map.of(), data);
            return;
        }
        int from = Integer.parseInt(range.substring("bytes=".length(), range.length() - 1));
        ex.send(206, Map.of("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length),
                Arrays.copyOfRange(data, from, data.length));
    }

    /** Headers for the whole blob, then only its first {@code n} bytes, then the connection drops. */
    private static void cutAfter(FakeRegistry.Exchange ex, int n) throws IOException {
        ex.head(200, Map.of(), BLOB.length);
        ex.write(BLOB, 0, n);
        ex.cut();
    }

    @Test
    void resumesWithRangeAfterACut() throws Exception {
        AtomicInteger attempt = new AtomicInteger();
        FakeRegistry f = fake((r, ex) -> {
            if (attempt.incrementAndGet() == 1) {
                cutAfter(ex, 100_000);
            } else {
                serveFrom(r, ex, BLOB);
            }
        });
        try (InputStream in = repo(f).openBlob(DESC, listener)) {
            assertArrayEquals(BLOB, in.readAllBytes());
        }
        assertEquals(1, retries.size());
        // The resume starts where the reader's bytes ended. Java's HttpClient drops body buffers it had queued
        // but not yet handed over when the connection fails, so that point can lie a little before 100,000.
        String range = f.requests.getLast().header("Range");
        assertTrue(range != null && range.matches("bytes=\\d+-"), "no byte range on the resume: " + range);
        long from = Long.parseLong(range.substring("bytes=".length(), range.length() - 1));
        assertTrue(from > 0 && from <= 100_000, "resumed from " + from + ", not from what was read");
    }

    @Test
    void aRegistryThatIgnoresRangeAfterBytesWereReadFailsClearly() throws Exception {
        AtomicInteger attempt = new AtomicInteger();
        FakeRegistry f = fake((r, ex) -> {
            if (attempt.incrementAndGet() == 1) {
                cutAfter(ex, 100_000);
            } else {
                ex.send(200, Map.of(), BLOB);
            }
        });
        try (InputStream in = repo(f).openBlob(DESC, listener)) {
            IOException e = assertThrows(IOException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains("expected HTTP 206 from byte range request, got 200"), e.getMessage());
            assertTrue(e.getMessage().contains(DESC.digest()), e.getMessage());
        }
    }

    @Test
    void wrongBytesFailVerificationNamingTheDigest() throws Exception {
        byte[] wrong = BLOB.clone();
        wrong[1000] ^= 1;
        FakeRegistry f = fake((r, ex) -> ex.send(200, Map.of(), wrong));
        try (InputStream in = repo(f).openBlob(DESC, listener)) {
            IOException e = assertThrows(IOException.class, in::readAllBytes);
            assertTrue(e.getMessage().startsWith("filesystem layer verification failed for digest " + DESC.digest()),
                    e.getMessage());
        }
        assertEquals(List.of(), retries);
        RegistryException e = assertThrows(RegistryException.class, () -> repo(f).readBlob(DESC, BLOB.length));
        assertEquals(RegistryException.Kind.INVALID, e.kind());
    }

    @Test
    void moreBytesThanTheDescriptorFailEarly() throws Exception {
        byte[] longer = Arrays.copyOf(BLOB, BLOB.length + 10);
        FakeRegistry f = fake((r, ex) -> ex.send(200, Map.of(), longer));
        try (InputStream in = repo(f).openBlob(DESC, listener)) {
            IOException e = assertThrows(IOException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains("more than the " + BLOB.length + " bytes"), e.getMessage());
        }
    }

    @Test
    void aStalledBodyIsAbortedAndResumed() throws Exception {
        AtomicInteger attempt = new AtomicInteger();
        FakeRegistry[] self = new FakeRegistry[1];
        FakeRegistry f = fake((r, ex) -> {
            if (attempt.incrementAndGet() == 1) {
                ex.head(200, Map.of(), BLOB.length);
                ex.write(BLOB, 0, 1000);
                self[0].closed.await(); // sends nothing more until the test ends
            } else {
                serveFrom(r, ex, BLOB);
            }
        });
        self[0] = f;
        try (InputStream in = repo(f).openBlob(DESC, listener)) {
            assertArrayEquals(BLOB, in.readAllBytes());
        }
        assertEquals(1, retries.size());
        assertTrue(retries.getFirst().getMessage().startsWith("no data from the registry for 500 ms"),
                retries.getFirst().getMessage());
    }

    @Test
    void aRegistryThatDiesMidBlobFailsAfterTheAttempts() throws Exception {
        FakeRegistry[] self = new FakeRegistry[1];
        FakeRegistry f = fake((r, ex) -> {
            cutAfter(ex, 50_000);
            self[0].close();
        });
        self[0] = f;
        try (InputStream in = repo(f).openBlob(DESC, listener)) {
            IOException e = assertThrows(IOException.class, in::readAllBytes);
            assertTrue(e.getMessage().startsWith("failed to download " + DESC.digest() + " after 3 attempts: "),
                    e.getMessage());
        }
        assertEquals(2, retries.size());
    }

    @Test
    void redirectFromHttpsToHttpIsRefused() throws Exception {
        FakeRegistry plain = fake((r, ex) -> ex.send(200, Map.of(), BLOB));
        FakeRegistry tls = new FakeRegistry(TestTls.server(), FakeRegistry.withPing((r, ex) ->
                ex.send(307, Map.of("Location", "http://" + plain.hostPort() + "/blob"), new byte[0])));
        fakes.add(tls);
        RegistryException e = assertThrows(RegistryException.class, () -> repo(tls).openBlob(DESC, listener));
        assertEquals(RegistryException.Kind.UNSUPPORTED, e.kind());
        assertTrue(e.getMessage().startsWith("refusing the registry's redirect from https://" + tls.hostPort()),
                e.getMessage());
        assertEquals(0, plain.requests.size());
    }

    @Test
    void httpsRedirectToAnotherHostDropsAuthorization() throws Exception {
        FakeRegistry storage = new FakeRegistry(TestTls.server(), (r, ex) -> ex.send(200, Map.of(), BLOB));
        fakes.add(storage);
        FakeRegistry tls = new FakeRegistry(TestTls.server(), (r, ex) -> {
            if (r.header("Authorization") == null) {
                ex.send(401, Map.of("WWW-Authenticate", "Basic realm=\"fake\""), new byte[0]);
            } else if (r.target().equals("/v2/")) {
                ex.send(200, Map.of(), new byte[0]);
            } else {
                ex.send(307, Map.of("Location", "https://" + storage.hostPort() + "/blob"), new byte[0]);
            }
        });
        fakes.add(tls);
        Repository repo = client.repository(tls.hostPort(), "test/img",
                new Credentials("u", "p", null, null, null), false);
        try (InputStream in = repo.openBlob(DESC, listener)) {
            assertArrayEquals(BLOB, in.readAllBytes());
        }
        assertTrue(tls.requests.getLast().header("Authorization").startsWith("Basic "));
        assertNull(storage.requests.getFirst().header("Authorization"));
    }

    @Test
    void schema1IsRefusedWithDockersText() throws Exception {
        String expected = "Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been "
                + "removed. Suggest the author of %s/test/img to upgrade the image to the OCI Format or Docker "
                + "Image manifest v2, schema 2. More information at https://docs.docker.com/go/deprecated-image-specs/";
        byte[] body = "{\"schemaVersion\":1,\"name\":\"test/img\",\"tag\":\"old\",\"fsLayers\":[]}".getBytes();
        FakeRegistry signed = fake((r, ex) -> ex.send(200, Map.of("Content-Type", ManifestParser.SCHEMA1_SIGNED), body));
        RegistryException e = assertThrows(RegistryException.class, () -> repo(signed).resolve("old", null));
        assertEquals(RegistryException.Kind.UNSUPPORTED, e.kind());
        assertEquals(expected.formatted(signed.hostPort()), e.getMessage());
        FakeRegistry json = fake((r, ex) -> ex.send(200, Map.of("Content-Type", "application/json"), body));
        assertEquals(expected.formatted(json.hostPort()),
                assertThrows(RegistryException.class, () -> repo(json).resolve("old", null)).getMessage());
    }

    private static byte[] manifest() throws IOException {
        return JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "mediaType", ImageManifest.OCI_MANIFEST,
                "config", Map.of("mediaType", ImageManifest.OCI_CONFIG, "digest", DESC.digest(), "size", 10),
                "layers", List.of()));
    }

    @Test
    void tooManyRequestsIsWaitedOutThenReported() throws Exception {
        byte[] m = manifest();
        AtomicInteger calls = new AtomicInteger();
        FakeRegistry f = fake((r, ex) -> {
            if (calls.incrementAndGet() <= 2) {
                ex.send(429, Map.of("Retry-After", "0"), "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}".getBytes());
            } else {
                ex.send(200, Map.of("Content-Type", ImageManifest.OCI_MANIFEST), m);
            }
        });
        assertEquals(Digests.of(m), repo(f).resolve("latest", null).repoDigest());
        FakeRegistry always = fake((r, ex) -> ex.send(429, Map.of("Retry-After", "0"),
                "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}".getBytes()));
        RegistryException e = assertThrows(RegistryException.class, () -> repo(always).resolve("latest", null));
        assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
        assertEquals("toomanyrequests: slow down", e.getMessage());
    }

    @Test
    void manifestBytesMustMatchTheirDigest() throws Exception {
        byte[] m = manifest();
        String other = Digests.of("other".getBytes(StandardCharsets.UTF_8));
        FakeRegistry f = fake((r, ex) -> ex.send(200, Map.of("Content-Type", ImageManifest.OCI_MANIFEST,
                "Docker-Content-Digest", other), m));
        RegistryException e = assertThrows(RegistryException.class, () -> repo(f).resolve("latest", null));
        assertEquals(RegistryException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().startsWith("manifest verification failed for digest " + other), e.getMessage());
        assertEquals(RegistryException.Kind.INVALID, assertThrows(RegistryException.class,
                () -> repo(f).resolve(other, null)).kind());
    }

    @Test
    void contentTypeAndMediaTypeMustAgree() throws Exception {
        byte[] m = manifest();
        FakeRegistry f = fake((r, ex) -> ex.send(200, Map.of("Content-Type", ImageManifest.DOCKER_V2), m));
        RegistryException e = assertThrows(RegistryException.class, () -> repo(f).resolve("latest", null));
        assertEquals(RegistryException.Kind.INVALID, e.kind());
    }
}
