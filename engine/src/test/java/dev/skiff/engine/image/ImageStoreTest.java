package dev.skiff.engine.image;

import static dev.skiff.engine.image.TestArchives.config;
import static dev.skiff.engine.image.TestArchives.files;
import static dev.skiff.engine.image.TestArchives.gzip;
import static dev.skiff.engine.image.TestArchives.sha;
import static dev.skiff.engine.image.TestArchives.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.image.TestArchives.Img;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layer disks, docker import, docker rmi, persistence, and the built-in busybox image. */
class ImageStoreTest {
    @TempDir
    Path dir;

    private static final byte[] BASE = ImageStoreLoadTest.BASE;
    private static final byte[] TOP = ImageStoreLoadTest.TOP;

    private ImageStore.Image loadTwoLayers(ImageStore store, String... tags) throws Exception {
        Img img = new Img(config("2024-01-01T00:00:00Z", "[\"sh\"]", List.of(BASE, TOP)),
                List.of(gzip(BASE), TestArchives.zstd(TOP)), List.of(tags));
        store.load(new ByteArrayInputStream(TestArchives.ociLayout(true, img)), p -> {});
        return store.resolve(sha(img.config()));
    }

    // ---- docker tag

    @Test
    void tagAddsANameThatSurvivesAReopenAndMovesFromAnotherImage() throws Exception {
        ImageStore store = new ImageStore(dir);
        ImageStore.Image img = loadTwoLayers(store, "two:1");
        store.tag("two:1", "docker.io/library/renamed:2");
        assertEquals(img.id(), store.resolve("renamed:2").id());
        assertEquals(Set.of("two:1", "renamed:2"), Set.copyOf(store.resolve(img.id()).repoTags()));
        assertEquals(img.id(), new ImageStore(dir).resolve("renamed:2").id(), "the tag is on disk");
        var missing = assertThrows(dev.skiff.engine.api.EngineException.class, () -> store.tag("nothing:1", "x:1"));
        assertEquals(dev.skiff.engine.api.EngineException.Kind.NOT_FOUND, missing.kind());
        assertThrows(dev.skiff.engine.api.EngineException.class,
                () -> store.tag("two:1", "x@sha256:" + "a".repeat(64)));
    }

    // ---- layer disks

    @Test
    void aLayerIsGoneOnlyOnceNoImageHasItAndItsDiskIsDeleted() throws Exception {
        ImageStore store = new ImageStore(dir);
        ImageStore.Image img = loadTwoLayers(store, "two:1");
        String top = img.diffIds().getLast();
        Path disk = store.layerDisk(top);
        assertFalse(store.layerGone(top));
        store.remove("two:1", false, id -> false);
        assertTrue(store.layerGone(top), "its image was deleted, and with it the disk");
        assertFalse(java.nio.file.Files.exists(disk));
        // a pull in flight: the layer's disk is made (and plugged ahead) before its image exists
        java.nio.file.Files.createDirectories(disk.getParent());
        java.nio.file.Files.createFile(disk);
        assertFalse(store.layerGone(top), "a layer with a disk is not gone yet");
    }

    @Test
    void layerDisksAreValidErofsImages() throws Exception {
        ImageStore store = new ImageStore(dir);
        ImageStore.Image img = loadTwoLayers(store, "two:1");
        for (String diffId : img.diffIds()) {
            Path disk = store.layerDisk(diffId);
            assertEquals(dir.resolve("disks").resolve(diffId.substring(7) + ".erofs"), disk);
            fsck(disk);
        }
        assertEquals(store.layerDisk(img.diffIds().getFirst()), store.layerDisk(img.diffIds().getFirst().substring(7)));
        assertEquals(2, store.diskBuilds());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> store.layerDisk("sha256:" + "0".repeat(64)));
    }

    @Test
    void concurrentCallersBuildALayerDiskOnce() throws Exception {
        ImageStore store = new ImageStore(dir);
        String diffId = loadTwoLayers(store, "two:1").diffIds().get(1);
        CountDownLatch start = new CountDownLatch(1);
        Set<Path> paths = new HashSet<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Path>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return store.layerDisk(diffId);
                }));
            }
            start.countDown();
            for (Future<Path> f : futures) {
                paths.add(f.get(60, TimeUnit.SECONDS));
            }
        }
        assertEquals(1, paths.size());
        assertEquals(1, store.diskBuilds());
        fsck(paths.iterator().next());
        try (var tmp = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, tmp.count());
        }
    }

    /** Runs erofs-utils' fsck.erofs on the disk; requires exit status 0. */
    static void fsck(Path disk) throws IOException, InterruptedException {
        Path fsck = dev.skiff.sys.HostTools.find("fsck.erofs").orElseThrow(() -> new AssertionError(
                dev.skiff.sys.HostTools.missing("fsck.erofs", "erofs-utils") + ", so the layer disks can be checked"));
        Process p = new ProcessBuilder(fsck.toString(), "--extract", disk.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "fsck.erofs " + disk + ":\n" + out);
    }

    // ---- docker import

    @Test
    void importWithChanges() throws Exception {
        ImageStore store = new ImageStore(dir);
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put("CMD", "[\"/bin/sh\", \"-c\", \"cat /etc/motd\"]");
        changes.put("ENTRYPOINT", "[\"/init\"]");
        changes.put("ENV", "A=1 B=2");
        changes.put("WORKDIR", "/srv");
        changes.put("USER", "nobody");
        List<String> progress = new ArrayList<>();
        ImageStore.Image img = store.importRootfs(new ByteArrayInputStream(gzip(BASE)), "my/rootfs:1", changes,
                progress::add);
        assertEquals(List.of("my/rootfs:1"), img.repoTags());
        assertEquals(List.of(sha(BASE)), img.diffIds(), "the diffID of the decompressed tar");
        assertEquals(List.of("/bin/sh", "-c", "cat /etc/motd"), img.config().cmd());
        assertEquals(List.of("/init"), img.config().entrypoint());
        assertEquals(List.of("A=1", "B=2"), img.config().env());
        assertEquals("/srv", img.config().workingDir());
        assertEquals("nobody", img.config().user());
        assertEquals("linux", img.os());
        assertEquals("amd64", img.architecture());
        assertEquals(45, img.size());
        assertTrue(Math.abs(img.created().getEpochSecond() - java.time.Instant.now().getEpochSecond()) < 60);
        assertEquals(img.id(), sha(Files.readAllBytes(dir.resolve("blobs/sha256").resolve(img.id().substring(7)))),
                "the id is the digest of the stored config");
        String config = Files.readString(dir.resolve("blobs/sha256").resolve(img.id().substring(7)));
        assertTrue(config.contains("\"diff_ids\":[\"" + sha(BASE) + "\"]"), config);
        assertTrue(config.contains("\"history\":[{"), config);
        assertEquals(img, store.resolve("docker.io/my/rootfs:1"));
        fsck(store.layerDisk(sha(BASE)));

        ImageStore.Image untagged = store.importRootfs(new ByteArrayInputStream(TOP), null, Map.of(), p -> {});
        assertEquals(List.of(), untagged.repoTags());
        assertEquals(2, store.list().size());
    }

    @Test
    void importRefusesWhatIsNotATar() throws Exception {
        ImageStore store = new ImageStore(dir);
        for (byte[] bad : List.of(new byte[0], "just text, not a tar".repeat(40).getBytes(),
                java.util.Arrays.copyOf(gzip(BASE), 40))) {
            EngineException e = assertThrows(EngineException.class,
                    () -> store.importRootfs(new ByteArrayInputStream(bad), "x:1", Map.of(), p -> {}));
            assertEquals(EngineException.Kind.INVALID, e.kind(), e.getMessage());
        }
        EngineException e = assertThrows(EngineException.class,
                () -> store.importRootfs(new ByteArrayInputStream(BASE), "x:1", Map.of("RUN", "true"), p -> {}));
        assertEquals(EngineException.Kind.INVALID, e.kind());
        assertEquals(List.of(), store.list());
        try (var blobs = Files.list(dir.resolve("blobs/sha256"))) {
            assertEquals(0, blobs.count());
        }
    }

    // ---- docker rmi

    @Test
    void rmiUntagsThenDeletesAndCollectsBlobsAndDisks() throws Exception {
        ImageStore store = new ImageStore(dir);
        ImageStore.Image img = loadTwoLayers(store, "app:1", "app:latest");
        Path disk = store.layerDisk(img.diffIds().getFirst());
        assertEquals(List.of(Map.of("Untagged", "app:latest")), store.remove("app", false, id -> false));
        assertEquals(List.of("app:1"), store.resolve(img.id()).repoTags());
        assertEquals(List.of(Map.of("Untagged", "app:1"), Map.of("Deleted", img.id())),
                store.remove("app:1", false, id -> false));
        assertThrows(EngineException.class, () -> store.resolve(img.id()));
        assertFalse(Files.exists(disk));
        try (var blobs = Files.list(dir.resolve("blobs/sha256"))) {
            assertEquals(0, blobs.count());
        }
        EngineException e = assertThrows(EngineException.class, () -> store.remove("app:1", false, id -> false));
        assertEquals(EngineException.Kind.NOT_FOUND, e.kind());
        assertEquals("No such image: app:1", e.getMessage());
    }

    @Test
    void rmiKeepsLayersOtherImagesShare() throws Exception {
        ImageStore store = new ImageStore(dir);
        ImageStore.Image two = loadTwoLayers(store, "two:1");
        ImageStore.Image one = store.importRootfs(new ByteArrayInputStream(BASE), "one:1", Map.of(), p -> {});
        Path shared = store.layerDisk(sha(BASE));
        store.remove("one:1", false, id -> false);
        assertTrue(Files.exists(shared));
        assertEquals(two.id(), store.resolve("two:1").id());
        fsck(store.layerDisk(sha(BASE)));
        assertThrows(EngineException.class, () -> store.resolve(one.id()));
    }

    @Test
    void rmiConflicts() throws Exception {
        ImageStore store = new ImageStore(dir);
        ImageStore.Image img = loadTwoLayers(store, "app:1", "app:2");
        String shortId = img.id().substring(7, 19);
        EngineException multi = assertThrows(EngineException.class, () -> store.remove(shortId, false, id -> false));
        assertEquals(EngineException.Kind.CONFLICT, multi.kind());
        assertEquals("conflict: unable to delete " + shortId
                + " (must be forced) - image is referenced in multiple repositories", multi.getMessage());

        store.remove("app:2", false, id -> true); // untagging one of several names needs no force
        EngineException used = assertThrows(EngineException.class, () -> store.remove("app:1", false, img.id()::equals));
        assertEquals(EngineException.Kind.CONFLICT, used.kind());
        assertTrue(used.getMessage().startsWith("conflict: unable to remove repository reference \"app:1\" (must force)"),
                used.getMessage());
        EngineException byId = assertThrows(EngineException.class, () -> store.remove(img.id(), false, img.id()::equals));
        assertEquals("conflict: unable to delete " + shortId + " (must be forced) - image is being used by a container",
                byId.getMessage());

        // forced while in use: the names go, the image (and its disks) stay for the container
        assertEquals(List.of(Map.of("Untagged", "app:1")), store.remove("app:1", true, img.id()::equals));
        assertEquals(List.of(), store.resolve(img.id()).repoTags());
        // forced by id, no longer used: deleted
        assertEquals(List.of(Map.of("Deleted", img.id())), store.remove(img.id(), true, id -> false));
        assertEquals(List.of(), store.list());
    }

    @Test
    void forceDeletesAnImageWithSeveralNamesById() throws Exception {
        ImageStore store = new ImageStore(dir);
        ImageStore.Image img = loadTwoLayers(store, "app:1", "app:2");
        assertEquals(List.of(Map.of("Untagged", "app:1"), Map.of("Untagged", "app:2"), Map.of("Deleted", img.id())),
                store.remove(img.id().substring(7), true, id -> false));
    }

    // ---- persistence

    @Test
    void repositoriesSurviveAReopen() throws Exception {
        ImageStore store = new ImageStore(dir);
        ImageStore.Image img = loadTwoLayers(store, "app:1", "quay.io/x/y:2");
        ImageStore.Image other = store.importRootfs(new ByteArrayInputStream(TOP), "busybox", Map.of("CMD", "[\"sh\"]"),
                p -> {});
        store.remove("app:1", false, id -> false);
        String json = Files.readString(dir.resolve("repositories.json"));
        assertTrue(json.contains("\"quay.io/x/y\"") && json.contains("\"busybox:latest\""), json);
        ImageStore reopened = new ImageStore(dir);
        assertEquals(store.list(), reopened.list());
        assertEquals(img.id(), reopened.resolve("quay.io/x/y:2").id());
        assertEquals(other, reopened.resolve("busybox"));
        try (var files = Files.list(dir)) {
            assertEquals(Set.of("blobs", "disks", "tmp", "images.json", "repositories.json"),
                    files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()),
                    "no temp files are left beside the JSON files");
        }
    }

    @Test
    void reopenDropsOrphanBlobsAndSpoolFiles() throws Exception {
        new ImageStore(dir);
        Files.writeString(dir.resolve("blobs/sha256").resolve("ab".repeat(32)), "orphan");
        Files.writeString(dir.resolve("tmp/half-written.blob"), "x");
        new ImageStore(dir);
        try (var blobs = Files.list(dir.resolve("blobs/sha256")); var tmp = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, blobs.count() + tmp.count());
        }
    }

    // ---- busybox

    @Test
    void ensureBusyboxKeepsAnExistingImage() throws Exception {
        ImageStore store = new ImageStore(dir);
        ImageStore.Image mine = store.importRootfs(new ByteArrayInputStream(BASE), "busybox:latest", Map.of(), p -> {});
        assertEquals(mine, store.ensureBusybox(dir.resolve("no-cache-needed"), p -> {}));
        assertFalse(Files.exists(dir.resolve("no-cache-needed")), "nothing was downloaded");
    }

    @Test
    void ensureBusyboxImportsTheBuiltInImageOnce() throws Exception {
        ImageStore store = new ImageStore(dir);
        Path cache = dev.skiff.image.ImageCache.root();
        ImageStore.Image bb = store.ensureBusybox(cache, p -> {});
        assertEquals(List.of("busybox:latest"), bb.repoTags());
        assertEquals(List.of("sh"), bb.config().cmd());
        assertTrue(bb.size() > 500_000, "the busybox binary: " + bb.size());
        assertEquals(bb, store.ensureBusybox(cache, p -> {}));
        assertEquals(1, store.list().size());
        fsck(store.layerDisk(bb.diffIds().getFirst()));
        assertNotEquals(0, bb.diffIds().size());
    }
}
