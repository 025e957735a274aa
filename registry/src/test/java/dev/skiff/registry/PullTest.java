package dev.skiff.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.registry.testing.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pulls from a real docker-registry holding Docker v2 and OCI images (gzip and zstd) and an index. */
class PullTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> AMD_FILES = Map.of("etc/hello", "hello from amd64\n", "bin/tool", "#!/bin/sh\n");
    static final Map<String, String> ARM_FILES = Map.of("etc/hello", "hello from arm64\n");

    @TempDir
    static Path tmp;
    static TestRegistry registry;
    static RegistryClient client;
    static String amdDigest;
    static String armDigest;
    static String indexDigest;

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.start(tmp.resolve("registry"), "");
        String hp = registry.host();
        OciLayout.write(tmp.resolve("amd"), "t", "amd64", AMD_FILES);
        OciLayout.write(tmp.resolve("arm"), "t", "arm64", ARM_FILES);
        OciLayout.write(tmp.resolve("att"), "t", "unknown", Map.of("attestation.json", "{}"));
        // zstd content of its own: skopeo reuses a blob it has pushed in another compression instead.
        OciLayout.write(tmp.resolve("zstd"), "t", "amd64", Map.of("etc/zstd", "compressed with zstd\n"));
        Skopeo.push(tmp.resolve("zstd"), "t", hp + "/test/zstd:zstd", "oci", "zstd", null);
        Skopeo.push(tmp.resolve("amd"), "t", hp + "/test/img:v2", "v2s2", "gzip", null);
        Skopeo.push(tmp.resolve("amd"), "t", hp + "/test/img:oci", "oci", "gzip", null);
        Skopeo.push(tmp.resolve("arm"), "t", hp + "/test/img:arm64", "oci", "gzip", null);
        Skopeo.push(tmp.resolve("att"), "t", hp + "/test/img:att", "oci", "gzip", null);
        Skopeo.push(tmp.resolve("amd"), "t", hp + "/library/hubimg:latest", "oci", "gzip", null);
        client = new RegistryClient(RegistryConfig.defaults());

        Repository repo = client.repository(hp, "test/img", Credentials.ANONYMOUS, true);
        ResolvedManifest amd = repo.resolve("oci", null);
        ResolvedManifest arm = repo.resolve("arm64", Platform.parse("linux/arm64"));
        ResolvedManifest att = repo.resolve("att", null);
        amdDigest = amd.manifestDigest();
        armDigest = arm.manifestDigest();
        // BuildKit's layout: the attestation first (unknown/unknown), then one marked by annotation only.
        List<Map<String, Object>> entries = new ArrayList<>();
        entries.add(entry(att, Map.of("os", "unknown", "architecture", "unknown"),
                Map.of("vnd.docker.reference.type", "attestation-manifest")));
        entries.add(entry(att, Map.of("os", "linux", "architecture", "amd64"),
                Map.of("vnd.docker.reference.type", "attestation-manifest")));
        entries.add(entry(amd, Map.of("os", "linux", "architecture", "amd64"), Map.of()));
        entries.add(entry(arm, Map.of("os", "linux", "architecture", "arm64"), Map.of()));
        byte[] index = JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "mediaType", ImageManifest.OCI_INDEX,
                "manifests", entries));
        indexDigest = repo.putManifest("multi", ImageManifest.OCI_INDEX, index);
        assertEquals(Digests.of(index), indexDigest);
    }

    private static Map<String, Object> entry(ResolvedManifest m, Map<String, String> platform,
                                             Map<String, String> annotations) {
        return Map.of("mediaType", ImageManifest.OCI_MANIFEST, "digest", m.manifestDigest(),
                "size", m.manifestBytes().length, "platform", platform, "annotations", annotations);
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private Repository repo() {
        return client.repository(registry.host(), "test/img", Credentials.ANONYMOUS, false);
    }

    /** The image's one layer read through openBlob, checked against the config's diff_id after gunzip. */
    private void checkImage(Repository repo, ResolvedManifest r, String layerType, boolean gzip) throws Exception {
        assertEquals(layerType, r.manifest().layers().getFirst().mediaType());
        byte[] config = repo.readBlob(r.manifest().config(), 1 << 20);
        JsonNode cfg = JSON.readTree(config);
        String diffId = cfg.get("rootfs").get("diff_ids").get(0).asText();
        List<long[]> progress = new ArrayList<>();
        byte[] layer;
        try (InputStream in = repo.openBlob(r.manifest().layers().getFirst(), new BlobListener() {
            @Override
            public void progress(long done, long total) {
                progress.add(new long[] {done, total});
            }
        })) {
            layer = in.readAllBytes();
        }
        assertEquals(r.manifest().layers().getFirst().size(), layer.length);
        assertEquals(layer.length, progress.getLast()[0]);
        if (gzip) {
            byte[] tar = new GZIPInputStream(new ByteArrayInputStream(layer)).readAllBytes();
            assertEquals(diffId, Digests.of(tar));
            assertArrayEquals(OciLayout.tar(AMD_FILES), tar);
        } else {
            assertEquals(0x28, layer[0] & 0xff, "zstd magic");
            assertEquals(0xfd, layer[3] & 0xff, "zstd magic");
        }
    }

    @Test
    void pullsDockerSchema2() throws Exception {
        Repository repo = repo();
        ResolvedManifest r = repo.resolve("v2", null);
        assertEquals(ImageManifest.DOCKER_V2, r.manifest().mediaType());
        assertEquals(ImageManifest.DOCKER_CONFIG, r.manifest().config().mediaType());
        assertEquals(r.repoDigest(), r.manifestDigest());
        assertEquals(Digests.of(r.manifestBytes()), r.repoDigest());
        assertNull(r.platform());
        checkImage(repo, r, ImageManifest.DOCKER_LAYER_GZIP, true);
    }

    @Test
    void pullsOciGzip() throws Exception {
        Repository repo = repo();
        ResolvedManifest r = repo.resolve("oci", Platform.parse("linux/amd64"));
        assertEquals(ImageManifest.OCI_MANIFEST, r.manifest().mediaType());
        checkImage(repo, r, ImageManifest.OCI_LAYER_GZIP, true);
    }

    @Test
    void pullsOciZstd() throws Exception {
        Repository repo = client.repository(registry.host(), "test/zstd", Credentials.ANONYMOUS, false);
        ResolvedManifest r = repo.resolve("zstd", null);
        checkImage(repo, r, ImageManifest.OCI_LAYER_ZSTD, false);
    }

    @Test
    void pullsByDigest() throws Exception {
        ResolvedManifest r = repo().resolve(amdDigest, null);
        assertEquals(amdDigest, r.repoDigest());
        assertEquals(amdDigest, r.manifestDigest());
    }

    @Test
    void choosesFromIndexSkippingAttestations() throws Exception {
        ResolvedManifest amd = repo().resolve("multi", Platform.parse("linux/amd64"));
        assertEquals(indexDigest, amd.repoDigest());
        assertEquals(amdDigest, amd.manifestDigest());
        assertEquals(new Platform("linux", "amd64", null), amd.platform());

        ResolvedManifest arm = repo().resolve("multi", Platform.parse("linux/arm64/v8"));
        assertEquals(indexDigest, arm.repoDigest());
        assertEquals(armDigest, arm.manifestDigest());
        assertEquals("linux/arm64/v8", arm.platform().toString());

        RegistryException e = assertThrows(RegistryException.class,
                () -> repo().resolve("multi", Platform.parse("linux/s390x")));
        assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
        assertEquals("no matching manifest for linux/s390x in the manifest list entries", e.getMessage());
    }

    @Test
    void indexByDigestToo() throws Exception {
        ResolvedManifest r = repo().resolve(indexDigest, Platform.parse("arm64"));
        assertEquals(armDigest, r.manifestDigest());
    }

    @Test
    void unknownTagIsWordedLikeDocker() {
        RegistryException e = assertThrows(RegistryException.class, () -> repo().resolve("nope", null));
        assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
        assertEquals("manifest for " + registry.host() + "/test/img:nope not found: manifest unknown: "
                + "manifest unknown", e.getMessage());
    }

    @Test
    void unknownRepository() {
        RegistryException e = assertThrows(RegistryException.class, () -> client.repository(registry.host(),
                "test/none", Credentials.ANONYMOUS, false).resolve("latest", null));
        assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().startsWith("repository " + registry.host() + "/test/none not found: ")
                || e.getMessage().startsWith("manifest for " + registry.host() + "/test/none:latest not found"),
                e.getMessage());
    }

    @Test
    void missingBlob() {
        Descriptor d = new Descriptor(ImageManifest.OCI_LAYER_GZIP, Digests.of(new byte[] {1}), 1);
        RegistryException e = assertThrows(RegistryException.class, () -> repo().openBlob(d, BlobListener.NONE));
        assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains(d.digest()), e.getMessage());
    }

    @Test
    void connectionRefusedSaysWhatToCheck() {
        RegistryException e = assertThrows(RegistryException.class, () -> client.repository("127.0.0.1:1",
                "test/img", Credentials.ANONYMOUS, false).resolve("latest", null));
        assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
        assertEquals("Get \"https://127.0.0.1:1/v2/\": connection refused: is the registry running, and is the"
                + " name right?", e.getMessage());
    }

    @Test
    void unknownHostSaysWhatToCheck() {
        RegistryException e = assertThrows(RegistryException.class, () -> client.repository(
                "registry.invalid:5000", "test/img", Credentials.ANONYMOUS, false).resolve("latest", null));
        assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().startsWith("Get \"https://registry.invalid:5000/v2/\": dial tcp: lookup "
                + "registry.invalid: no such host"), e.getMessage());
    }

    @Test
    void hubNamesGoToMirrorsInOrder() throws Exception {
        RegistryConfig c = new RegistryConfig(List.of("http://127.0.0.1:1", "http://" + registry.host()),
                List.of(), null, 5, RegistryConfig.defaults().connectTimeout(), RegistryConfig.defaults().idleTimeout());
        try (RegistryClient mirrored = new RegistryClient(c)) {
            // were both mirrors to fail, "Docker Hub" here is a closed loopback port: nothing leaves the host
            mirrored.hubForTests("127.0.0.1:1", "http");
            Repository hub = mirrored.repository("docker.io", "library/hubimg", Credentials.ANONYMOUS, false);
            ResolvedManifest r = hub.resolve("latest", null);
            assertEquals(amdDigest, r.manifestDigest());
            try (InputStream in = hub.openBlob(r.manifest().config(), BlobListener.NONE)) {
                assertEquals(r.manifest().config().size(), in.readAllBytes().length);
            }
        }
    }

    @Test
    void invalidReferences() {
        assertEquals(RegistryException.Kind.INVALID, assertThrows(RegistryException.class,
                () -> repo().resolve("sha512:" + "a".repeat(128), null)).kind());
        assertEquals(RegistryException.Kind.INVALID, assertThrows(RegistryException.class,
                () -> repo().resolve("bad tag", null)).kind());
        assertEquals(RegistryException.Kind.INVALID, assertThrows(RegistryException.class,
                () -> client.repository(registry.host(), "Upper/Case", Credentials.ANONYMOUS, false)
                        .resolve("latest", null)).kind());
    }
}
