package dev.skiff.engine.image;

import static dev.skiff.engine.image.TestArchives.config;
import static dev.skiff.engine.image.TestArchives.descriptor;
import static dev.skiff.engine.image.TestArchives.files;
import static dev.skiff.engine.image.TestArchives.gzip;
import static dev.skiff.engine.image.TestArchives.hex;
import static dev.skiff.engine.image.TestArchives.sha;
import static dev.skiff.engine.image.TestArchives.tar;
import static dev.skiff.engine.image.TestArchives.utf8;
import static dev.skiff.engine.image.TestArchives.zstd;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.image.TestArchives.Img;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker load: every archive layout, every way to name the result, and every way an archive can be bad. */
class ImageStoreLoadTest {
    @TempDir
    Path dir;

    static final byte[] BASE = tar(files("bin/", null, "bin/sh", "#!fake shell\n", "etc/", null,
            "etc/passwd", "root:x:0:0::/root:/bin/sh\n", "etc/motd", "hello\n", "bin/ls", "->/bin/sh"));
    /** Deletes etc/motd (a whiteout), makes etc/ opaque-free, adds a file. */
    static final byte[] TOP = tar(files("etc/", null, "etc/.wh.motd", "", "srv/", null, "srv/app.txt", "app!\n"));

    static Img twoLayers(String tag, boolean gzipTop) {
        return new Img(config("2024-05-06T07:08:09.123456789Z", "[\"sh\"]", List.of(BASE, TOP)),
                List.of(BASE, gzipTop ? gzip(TOP) : TOP), tag == null ? List.of() : List.of(tag));
    }

    private List<String> load(ImageStore store, byte[] archive) throws Exception {
        List<String> progress = new ArrayList<>();
        List<String> loaded = store.load(new ByteArrayInputStream(archive), progress::add);
        assertTrue(progress.stream().anyMatch(p -> p.startsWith("Loading layer")), progress.toString());
        return loaded;
    }

    @Test
    void legacyDockerSaveWithPlainAndGzipLayersResolvesByEveryRefForm() throws Exception {
        ImageStore store = new ImageStore(dir);
        Img img = twoLayers("busybox:latest", true);
        assertEquals(List.of("busybox:latest"), load(store, TestArchives.legacySave(img)));
        String id = sha(img.config());
        String h = hex(id);
        for (String ref : List.of("busybox", "busybox:latest", "library/busybox", "docker.io/library/busybox:latest",
                "docker.io/busybox", id, h, h.substring(0, 4), h.substring(0, 12), "sha256:" + h.substring(0, 8))) {
            assertEquals(id, store.resolve(ref).id(), ref);
        }
        ImageStore.Image i = store.resolve("busybox");
        assertEquals(List.of("busybox:latest"), i.repoTags());
        assertEquals(List.of(sha(BASE), sha(TOP)), i.diffIds());
        assertEquals(Instant.parse("2024-05-06T07:08:09.123456789Z"), i.created());
        assertEquals(13 + 26 + 6 + 5, i.size(), "Docker's size: the bytes of the regular files");
        assertEquals("linux", i.os());
        assertEquals("amd64", i.architecture());
        assertEquals(List.of("sh"), i.config().cmd());
        assertEquals("/srv", i.config().workingDir());
        assertEquals(List.of("80/tcp"), i.config().exposedPorts());
        assertEquals(i.config().labels(), i.summary().labels());
        assertEquals(i.diffIds(), i.detail().diffIds());
        assertEquals(1, store.list().size());
        for (String missing : List.of("busybox:1.0", "nothere", "sha256:" + "0".repeat(64), "0000", "abc")) {
            EngineException e = assertThrows(EngineException.class, () -> store.resolve(missing));
            assertEquals(EngineException.Kind.NOT_FOUND, e.kind());
            assertEquals("No such image: " + missing, e.getMessage());
        }
    }

    /** A user given by name is looked up in the image's /etc/passwd, read from its layers, no scratch left behind. */
    @Test
    void anImagesAccountsAreReadFromItsLayers() throws Exception {
        ImageStore store = new ImageStore(dir);
        load(store, TestArchives.legacySave(twoLayers("busybox:latest", true)));
        String id = store.resolve("busybox").id();
        var root = store.accounts(id).resolve("root");
        assertEquals(0, root.uid());
        assertEquals(store.accounts(id), store.accounts(id));
        assertThrows(dev.skiff.engine.api.EngineException.class, () -> store.accounts(id).resolve("jenkins"));
        try (var left = java.nio.file.Files.walk(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("etc-")), "the scratch folder is gone");
        }
    }

    @Test
    void docker25LayoutWithOciIndexAndManifestJson() throws Exception {
        ImageStore store = new ImageStore(dir);
        Img img = twoLayers("user/app:1.0", false);
        assertEquals(List.of("user/app:1.0"), load(store, TestArchives.ociLayout(true, img)));
        assertEquals(sha(img.config()), store.resolve("docker.io/user/app:1.0").id());
    }

    @Test
    void ociLayoutWithGzipAndZstdLayersTaggedByAnnotation() throws Exception {
        ImageStore store = new ImageStore(dir);
        Img img = new Img(config("2024-01-01T00:00:00Z", "null", List.of(BASE, TOP)), List.of(gzip(BASE), zstd(TOP)),
                List.of("alpine:3"));
        assertEquals(List.of("alpine:3"), load(store, TestArchives.ociLayout(false, img)));
        ImageStore.Image i = store.resolve("alpine:3");
        assertEquals(List.of(sha(BASE), sha(TOP)), i.diffIds());
        assertEquals(List.of(), i.config().cmd());
    }

    @Test
    void untaggedOciImageIsNamedByItsId() throws Exception {
        ImageStore store = new ImageStore(dir);
        Img img = twoLayers(null, true);
        assertEquals(List.of(sha(img.config())), load(store, TestArchives.ociLayout(false, img)));
        assertEquals(List.of(), store.resolve(sha(img.config())).repoTags());
    }

    @Test
    void ociIndexOfManifestsPicksLinuxAmd64() throws Exception {
        Img amd64 = twoLayers(null, true);
        byte[] armConfig = config("2020-01-01T00:00:00Z", "[\"arm\"]", List.of(TOP));
        Img arm = new Img(armConfig, List.of(TOP), List.of());
        byte[] mAmd = TestArchives.manifest(amd64, "application/vnd.oci.image.layer.v1.tar+gzip");
        byte[] mArm = TestArchives.manifest(arm, "application/vnd.oci.image.layer.v1.tar");
        byte[] nested = utf8("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
                + descriptor("application/vnd.oci.image.manifest.v1+json", mArm,
                "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}") + ","
                + descriptor("application/vnd.oci.image.manifest.v1+json", mAmd,
                "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}") + "]}");
        byte[] index = utf8("{\"schemaVersion\":2,\"manifests\":[" + descriptor(
                "application/vnd.oci.image.index.v1+json", nested,
                "\"annotations\":{\"org.opencontainers.image.ref.name\":\"docker.io/library/multi:2\"}") + "]}");
        var m = files("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", "index.json", index);
        for (byte[] b : List.of(nested, mAmd, mArm, amd64.config(), armConfig, BASE, gzip(TOP), TOP)) {
            m.put("blobs/sha256/" + hex(sha(b)), b);
        }
        ImageStore store = new ImageStore(dir);
        assertEquals(List.of("multi:2"), load(store, tar(m)));
        assertEquals(sha(amd64.config()), store.resolve("multi:2").id());
        assertEquals(1, store.list().size());
        assertTrue(!Files.exists(dir.resolve("blobs/sha256").resolve(hex(sha(armConfig)))),
                "the arm64 image's blobs are not kept");
    }

    @Test
    void gzippedArchiveWithSeveralImagesSharingALayer() throws Exception {
        ImageStore store = new ImageStore(dir);
        Img one = new Img(config("2024-01-01T00:00:00Z", "[\"a\"]", List.of(BASE)), List.of(BASE), List.of("one:1", "one:latest"));
        Img two = twoLayers("two:2", false);
        assertEquals(List.of("one:1", "one:latest", "two:2"), load(store, gzip(TestArchives.legacySave(one, two))));
        assertEquals(2, store.list().size());
        assertEquals(List.of("one:1", "one:latest"), store.resolve("one").repoTags());
    }

    @Test
    void loadingAgainMovesTheTag() throws Exception {
        ImageStore store = new ImageStore(dir);
        Img first = twoLayers("app:v", false);
        Img second = new Img(config("2025-01-01T00:00:00Z", "[\"b\"]", List.of(BASE)), List.of(BASE), List.of("app:v"));
        load(store, TestArchives.legacySave(first));
        List<String> progress = new ArrayList<>();
        store.load(new ByteArrayInputStream(TestArchives.legacySave(second)), progress::add);
        assertEquals(sha(second.config()), store.resolve("app:v").id());
        assertEquals(List.of(), store.resolve(sha(first.config())).repoTags(), "the old image stays, untagged");
        assertTrue(progress.stream().anyMatch(p -> p.contains("renaming the old one")), progress.toString());
        assertEquals(List.of(sha(second.config())), store.list().stream().map(ImageStore.Image::id).toList().subList(0, 1),
                "newest first");
    }

    @Test
    void concurrentLoadsOfOneArchive() throws Exception {
        ImageStore store = new ImageStore(dir);
        byte[] archive = TestArchives.ociLayout(true, twoLayers("same:1", true));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> store.load(new ByteArrayInputStream(archive), p -> {})));
            }
            for (Future<List<String>> f : results) {
                assertEquals(List.of("same:1"), f.get());
            }
        }
        assertEquals(1, store.list().size());
        assertEquals(3, blobCount(), "config + two layers, nothing else (the OCI manifest is not kept)");
    }

    // ---- bad archives: refused, nothing stored

    @Test
    void blobWhoseContentDoesNotMatchItsName() throws Exception {
        byte[] archive = TestArchives.ociLayout(true, twoLayers("bad:1", false));
        byte[] hello = utf8("hello\n");
        int at = indexOf(archive, hello);
        archive[at] = 'j';
        assertRefused(archive, "digest mismatch");
    }

    @Test
    void layerThatDoesNotMatchTheConfigsDiffIds() throws Exception {
        Img img = twoLayers("bad:1", false);
        Img wrong = new Img(img.config(), List.of(BASE, tar(files("x", "y"))), img.tags());
        assertRefused(TestArchives.legacySave(wrong), "digest mismatch for layer");
    }

    @Test
    void archiveWithoutManifest() throws Exception {
        assertRefused(tar(files("blobs/", null, "x.json", "{}", "abc/layer.tar", BASE)), "neither manifest.json");
        assertRefused(new byte[0], "neither manifest.json");
    }

    @Test
    void manifestNamingAMissingLayer() throws Exception {
        byte[] cfg = config("2024-01-01T00:00:00Z", "[]", List.of(BASE));
        byte[] archive = tar(files(hex(sha(cfg)) + ".json", cfg, "manifest.json",
                "[{\"Config\":\"" + hex(sha(cfg)) + ".json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"gone/layer.tar\"]}]"));
        assertRefused(archive, "gone/layer.tar");
    }

    @Test
    void truncatedArchives() throws Exception {
        byte[] archive = TestArchives.ociLayout(true, twoLayers("t:1", true));
        int inManifestJson = indexOf(archive, utf8("\"RepoTags\""));
        for (int cut : new int[] {archive.length / 3, archive.length / 2, inManifestJson}) {
            assertRefused(Arrays.copyOf(archive, cut), "");
        }
        byte[] gz = gzip(archive);
        assertRefused(Arrays.copyOf(gz, gz.length / 2), "truncated");
    }

    @Test
    void truncatedGzipLayer() throws Exception {
        Img img = twoLayers("t:1", true);
        byte[] gzTop = img.blobs().get(1);
        Img cut = new Img(img.config(), List.of(BASE, Arrays.copyOf(gzTop, gzTop.length - 10)), img.tags());
        assertRefused(TestArchives.legacySave(cut), "is not a complete tar");
    }

    private void assertRefused(byte[] archive, String messagePart) throws Exception {
        ImageStore store = new ImageStore(dir);
        Img good = new Img(config("2024-01-01T00:00:00Z", "[\"ok\"]", List.of(TOP)), List.of(TOP), List.of("good:1"));
        store.load(new ByteArrayInputStream(TestArchives.legacySave(good)), p -> {});
        long before = blobCount();
        EngineException e = assertThrows(EngineException.class,
                () -> store.load(new ByteArrayInputStream(archive), p -> {}));
        assertEquals(EngineException.Kind.INVALID, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
        assertEquals(List.of("good:1"), store.list().stream().flatMap(i -> i.repoTags().stream()).toList());
        assertEquals(before, blobCount(), "no blob of the refused archive is left");
        try (var tmp = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, tmp.count(), "no spool file is left");
        }
        assertEquals(List.of("good:1"), new ImageStore(dir).list().stream().flatMap(i -> i.repoTags().stream()).toList());
    }

    private long blobCount() throws IOException {
        try (var s = Files.list(dir.resolve("blobs/sha256"))) {
            return s.count();
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
