package dev.skiff.engine.image;

import static dev.skiff.engine.image.TestArchives.config;
import static dev.skiff.engine.image.TestArchives.files;
import static dev.skiff.engine.image.TestArchives.sha;
import static dev.skiff.engine.image.TestArchives.tar;
import static dev.skiff.engine.image.TestArchives.zstd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Progress;
import dev.skiff.registry.Credentials;
import dev.skiff.registry.RegistryClient;
import dev.skiff.registry.RegistryConfig;
import dev.skiff.registry.testing.FaultyProxy;
import dev.skiff.registry.testing.TestRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker pull into the image store from Debian's docker-registry on 127.0.0.1, directly and through
 * a proxy that breaks chosen blobs: the image and each layer's EROFS disk arrive whole, or nothing
 * does (no image, no blob, no disk, no temp file).
 */
class PullTest {
    private static final byte[] BASE = tar(files("etc/os-release", "ID=pulled\n", "bin/tool", "#!/bin/sh\n"));
    /** Big enough to be cut in the middle of a read: a few MB that do not compress. */
    private static final byte[] BIG = bigLayer();
    private static final byte[] EROFS_MAGIC = {(byte) 0xe2, (byte) 0xe1, (byte) 0xf5, (byte) 0xe0};
    private static TestRegistry registry;
    private static FaultyProxy proxy;
    private static Path registryDir;

    @TempDir
    Path dir;

    @BeforeAll
    static void startRegistry() throws Exception {
        registryDir = Files.createTempDirectory("skiff-pulltest");
        registry = TestRegistry.start(registryDir, "");
        proxy = new FaultyProxy(registry);
        byte[] cfg = config("2024-01-01T00:00:00Z", "[\"sh\"]", List.of(BASE, BIG));
        registry.pushImage("test/two", "latest", cfg, List.of(TestRegistry.Layer.gzip(BASE), TestRegistry.Layer.gzip(BIG)));
        registry.pushImage("test/zstd", "latest", config("2024-01-02T00:00:00Z", "null", List.of(BASE)),
                List.of(new TestRegistry.Layer(zstd(BASE), "application/vnd.oci.image.layer.v1.tar+zstd")));
        for (String repo : List.of("broken/corrupt", "broken/cut", "broken/die")) {
            registry.pushImage(repo, "latest", cfg, List.of(TestRegistry.Layer.gzip(BASE),
                    TestRegistry.Layer.gzip(BIG)));
        }
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    private static byte[] bigLayer() {
        byte[] noise = new byte[3 << 20];
        new Random(7).nextBytes(noise);
        return tar(files("data/noise.bin", noise));
    }

    /** Every message, as "id status" lines. */
    private static final class Recorder implements Progress {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public void message(String id, String status) {
            lines.add((id == null ? "" : id + " ") + status);
        }

        @Override
        public void layer(String id, String status) {
            lines.add(id + " " + status);
        }

        @Override
        public void layer(String id, String status, long current, long total) {
            lines.add(id + " " + status + " " + current + "/" + total);
        }

        boolean has(String text) {
            return lines.stream().anyMatch(l -> l.contains(text));
        }
    }

    private static RegistryClient client(int attempts) throws IOException {
        RegistryConfig d = RegistryConfig.defaults();
        return new RegistryClient(new RegistryConfig(List.of(), List.of(), null, attempts, d.connectTimeout(),
                d.idleTimeout()));
    }

    @Test
    void aTwoLayerImageArrivesWithItsDisksAndASecondPullIsUpToDate() throws Exception {
        ImageStore store = new ImageStore(dir);
        Recorder first = new Recorder();
        String ref = registry.host() + "/test/two";
        List<String> ready = new CopyOnWriteArrayList<>();
        store.onLayerReady((diffId, disk) -> {
            try {
                assertArrayEquals(EROFS_MAGIC, magic(disk), "a layer is told ready with its disk complete");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ready.add(diffId);
        });
        try (RegistryClient client = client(5)) {
            String id = store.pull(client, ref, null, Credentials.ANONYMOUS, first);
            assertEquals(java.util.Set.of(sha(BASE), sha(BIG)), java.util.Set.copyOf(ready),
                    "each downloaded layer is told ready once, for the engine to plug it into the shared VM");
            assertEquals(2, ready.size());
            ImageStore.Image image = store.resolve(ref + ":latest");
            assertEquals(id, image.id());
            assertEquals(List.of(sha(BASE), sha(BIG)), image.diffIds());
            assertTrue(image.repoDigests().getFirst().startsWith(ref + "@sha256:"), image.repoDigests().toString());
            for (String diffId : image.diffIds()) {
                assertArrayEquals(EROFS_MAGIC, magic(store.layerDisk(diffId)), "an EROFS disk per layer");
            }
            assertEquals(2, store.diskBuilds(), "both disks were made while downloading, none again on first use");
            for (String s : List.of("latest Pulling from test/two", "Pulling fs layer", "Downloading",
                    "Verifying Checksum", "Download complete", "Pull complete", "Digest: sha256:",
                    "Status: Downloaded newer image for " + ref + ":latest")) {
                assertTrue(first.has(s), s + " in " + first.lines);
            }
            Recorder second = new Recorder();
            assertEquals(id, store.pull(client, ref, null, Credentials.ANONYMOUS, second));
            assertEquals(2, ready.size(), "layers that already exist are not downloaded, nor told again");
            assertTrue(second.has("Already exists"), second.lines.toString());
            assertTrue(second.has("Status: Image is up to date for " + ref + ":latest"), second.lines.toString());
        }
    }

    @Test
    void removingThePulledTagTakesItsDigestAlongAndDeletesTheImage() throws Exception {
        ImageStore store = new ImageStore(dir);
        String ref = registry.host() + "/test/zstd";
        try (RegistryClient client = client(5)) {
            store.pull(client, ref, null, Credentials.ANONYMOUS, new Recorder());
        }
        String digestRef = store.resolve(ref).repoDigests().getFirst();
        List<java.util.Map<String, String>> lines = store.remove(ref + ":latest", false, id -> false);
        assertEquals(List.of(java.util.Map.of("Untagged", ref + ":latest"), java.util.Map.of("Untagged", digestRef)),
                lines.subList(0, 2), "as dockerd: the repository's digest goes with its last tag");
        assertTrue(lines.getLast().containsKey("Deleted"), lines.toString());
        assertEquals(List.of(), store.list());
    }

    @Test
    void anOciImageWithAZstdLayer() throws Exception {
        ImageStore store = new ImageStore(dir);
        try (RegistryClient client = client(5)) {
            store.pull(client, registry.host() + "/test/zstd:latest", null, Credentials.ANONYMOUS, new Recorder());
        }
        ImageStore.Image image = store.resolve(registry.host() + "/test/zstd");
        assertEquals(List.of(sha(BASE)), image.diffIds());
        assertArrayEquals(EROFS_MAGIC, magic(store.layerDisk(sha(BASE))));
    }

    @Test
    void aCorruptLayerIsAClearErrorAndLeavesNothing() throws Exception {
        ImageStore store = new ImageStore(dir);
        proxy.fault(TestRegistry.sha256(TestRegistry.Layer.gzip(BIG).bytes()), FaultyProxy.Fault.CORRUPT);
        try (RegistryClient client = client(2)) {
            EngineException e = assertThrows(EngineException.class, () -> store.pull(client,
                    proxy.host() + "/broken/corrupt", null, Credentials.ANONYMOUS, new Recorder()));
            assertTrue(e.getMessage().contains(TestRegistry.sha256(TestRegistry.Layer.gzip(BIG).bytes())),
                    "names the layer: " + e.getMessage());
        }
        assertNothingLeft(store);
    }

    @Test
    void aDownloadCutInTheMiddleResumesAndCompletes() throws Exception {
        ImageStore store = new ImageStore(dir);
        String big = TestRegistry.sha256(TestRegistry.Layer.gzip(BIG).bytes());
        FaultyProxy cutting = new FaultyProxy(registry);
        try (cutting; RegistryClient client = client(5)) {
            cutting.fault(big, FaultyProxy.Fault.CUT_ONCE);
            Recorder progress = new Recorder();
            store.pull(client, cutting.host() + "/broken/cut", null, Credentials.ANONYMOUS, progress);
            assertTrue(progress.has("Retrying in"), progress.lines.toString());
            assertEquals(2, cutting.gets(big), "one cut attempt, one resumed");
        }
        assertEquals(List.of(sha(BASE), sha(BIG)), store.resolve(cutting.host() + "/broken/cut").diffIds());
    }

    @Test
    void aRegistryThatGoesAwayMidPullIsAClearErrorAndLeavesNothing() throws Exception {
        ImageStore store = new ImageStore(dir);
        FaultyProxy dying = new FaultyProxy(registry);
        try (dying; RegistryClient client = client(2)) {
            dying.fault(TestRegistry.sha256(TestRegistry.Layer.gzip(BIG).bytes()), FaultyProxy.Fault.DIE);
            assertThrows(EngineException.class, () -> store.pull(client, dying.host() + "/broken/die", null,
                    Credentials.ANONYMOUS, new Recorder()));
        }
        assertNothingLeft(store);
    }

    @Test
    void anUnknownTagIsNotFound() throws Exception {
        ImageStore store = new ImageStore(dir);
        try (RegistryClient client = client(2)) {
            EngineException e = assertThrows(EngineException.class, () -> store.pull(client,
                    registry.host() + "/test/two:nosuch", null, Credentials.ANONYMOUS, new Recorder()));
            assertEquals(EngineException.Kind.NOT_FOUND, e.kind());
            assertTrue(e.getMessage().contains("manifest for " + registry.host() + "/test/two:nosuch not found"),
                    e.getMessage());
        }
    }

    private void assertNothingLeft(ImageStore store) throws IOException {
        assertEquals(List.of(), store.list());
        for (String sub : List.of("blobs/sha256", "disks", "tmp")) {
            try (Stream<Path> files = Files.list(dir.resolve(sub))) {
                assertEquals(List.of(), files.toList(), sub + " must be empty after a failed pull");
            }
        }
    }

    private static byte[] magic(Path disk) throws IOException {
        try (InputStream in = Files.newInputStream(disk)) {
            in.skipNBytes(1024);
            return in.readNBytes(4);
        }
    }
}
