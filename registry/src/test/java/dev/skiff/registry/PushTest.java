package dev.skiff.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.registry.testing.TestRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pushes an image with the client to a real docker-registry and reads it back with skopeo. */
class PushTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    static TestRegistry registry;
    static RegistryClient client;

    @BeforeAll
    static void start() throws Exception {
        registry = TestRegistry.start(tmp.resolve("registry"), "");
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

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    @Test
    void pushesAnImageSkopeoCanRead() throws Exception {
        // Big enough for several progress reports.
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            big.append(i).append(' ').append(Integer.toHexString(i * 7919)).append('\n');
        }
        byte[] tar = OciLayout.tar(Map.of("etc/pushed", "pushed by skiff\n", "data", big.toString()));
        byte[] layer = gzip(tar);
        byte[] config = JSON.writeValueAsBytes(Map.of("architecture", "amd64", "os", "linux",
                "rootfs", Map.of("type", "layers", "diff_ids", List.of(Digests.of(tar)))));
        Descriptor layerDesc = new Descriptor(ImageManifest.OCI_LAYER_GZIP, Digests.of(layer), layer.length);
        Descriptor configDesc = new Descriptor(ImageManifest.OCI_CONFIG, Digests.of(config), config.length);
        byte[] manifest = JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "mediaType", ImageManifest.OCI_MANIFEST,
                "config", OciLayout.descriptor(ImageManifest.OCI_CONFIG, config),
                "layers", List.of(OciLayout.descriptor(ImageManifest.OCI_LAYER_GZIP, layer))));

        Repository repo = client.repository(registry.host(), "push/img", Credentials.ANONYMOUS, true);
        assertFalse(repo.hasBlob(layerDesc.digest()));
        List<Long> progress = new ArrayList<>();
        repo.pushBlob(layerDesc, () -> new ByteArrayInputStream(layer), new BlobListener() {
            @Override
            public void progress(long done, long total) {
                progress.add(done);
            }
        });
        repo.pushBlob(configDesc, () -> new ByteArrayInputStream(config), BlobListener.NONE);
        assertTrue(repo.hasBlob(layerDesc.digest()));
        assertEquals((long) layer.length, progress.getLast());
        String digest = repo.putManifest("v1", ImageManifest.OCI_MANIFEST, manifest);
        assertEquals(Digests.of(manifest), digest);

        assertEquals(new String(manifest, StandardCharsets.UTF_8),
                Skopeo.inspectRaw(registry.host() + "/push/img:v1"));
        String inspect = Skopeo.inspect(registry.host() + "/push/img:v1");
        assertTrue(inspect.contains(digest), inspect);
        assertTrue(inspect.contains(layerDesc.digest()), inspect);

        // The same blobs mounted into another repository without an upload.
        Repository other = client.repository(registry.host(), "push/other", Credentials.ANONYMOUS, true);
        assertTrue(other.mountBlob(layerDesc.digest(), "push/img"));
        assertTrue(other.hasBlob(layerDesc.digest()));
        // A blob the source does not have: the registry opens an upload instead, which is cancelled.
        assertFalse(other.mountBlob(Digests.of("absent".getBytes()), "push/img"));
        // And what was pushed pulls back, verified.
        ResolvedManifest r = client.repository(registry.host(), "push/img", Credentials.ANONYMOUS, false)
                .resolve("v1", null);
        assertEquals(digest, r.repoDigest());
    }

    @Test
    void putsAManifestByDigest() throws Exception {
        byte[] blob = "small".getBytes();
        Descriptor d = new Descriptor("application/octet-stream", Digests.of(blob), blob.length);
        byte[] manifest = JSON.writeValueAsBytes(Map.of("schemaVersion", 2, "mediaType", ImageManifest.OCI_MANIFEST,
                "config", Map.of("mediaType", ImageManifest.OCI_CONFIG, "digest", d.digest(), "size", blob.length),
                "layers", List.of()));
        Repository repo = client.repository(registry.host(), "push/bydigest", Credentials.ANONYMOUS, true);
        repo.pushBlob(d, () -> new ByteArrayInputStream(blob), BlobListener.NONE);
        assertEquals(Digests.of(manifest), repo.putManifest(Digests.of(manifest), ImageManifest.OCI_MANIFEST, manifest));
    }
}
