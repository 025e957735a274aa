package dev.skiff.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code docker save} archive (Docker 20.10, legacy layout; see the README beside it) gives
 * the ids, diffIDs, sizes, times and config that Docker itself reported for it.
 */
class DockerArchiveTest {
    private static final String BASE_ID = "sha256:4e3960484a8e2773ff3b8ac60239d9dc9fc70e54763ec47ad8aec197524f6ca2";
    private static final String TWO_ID = "sha256:7c3eb0e8f601dff77bac1cd54396c02151eccbb6cd4a6059b71528e372832ba9";
    private static final String LAYER1 = "sha256:1b9cbd131adf29b8a00d6a913dacd98359f9f4c3a72dcc6cdb9de4657cee10ab";
    private static final String LAYER2 = "sha256:450b41d86ea6206b3ac0c00b883f4198d8d5bb77694fbced01713e97dc5f66fb";

    @TempDir
    Path dir;

    static byte[] archive() throws Exception {
        try (InputStream in = DockerArchiveTest.class.getResourceAsStream("docker20-save.tar")) {
            assertNotNull(in, "test resource docker20-save.tar");
            return in.readAllBytes();
        }
    }

    @Test
    void loadsWhatDockerSaved() throws Exception {
        ImageStore store = new ImageStore(dir);
        assertEquals(List.of("skifftest/base:v1", "skifftest/two:latest"),
                store.load(new ByteArrayInputStream(archive()), p -> {}));

        ImageStore.Image base = store.resolve("skifftest/base:v1");
        assertEquals(BASE_ID, base.id());
        assertEquals(List.of(LAYER1), base.diffIds());
        assertEquals(54, base.size());
        assertEquals(Instant.parse("2026-11-29T14:41:26.024473289Z"), base.created());
        assertEquals(List.of("/bin/hi"), base.config().cmd());
        assertEquals(List.of("FOO=bar"), base.config().env());

        ImageStore.Image two = store.resolve("docker.io/skifftest/two");
        assertEquals(TWO_ID, two.id());
        assertEquals(List.of(LAYER1, LAYER2), two.diffIds());
        assertEquals(60, two.size());
        assertEquals(Instant.parse("2026-11-29T14:41:28.262067998Z"), two.created());
        assertEquals("/etc", two.config().workingDir());
        assertEquals(Map.of("org.example", "yes"), two.config().labels());
        assertEquals(List.of("FOO=bar", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                two.config().env());
        assertEquals(two, store.resolve("7c3e"));

        for (String diffId : two.diffIds()) {
            ImageStoreTest.fsck(store.layerDisk(diffId));
        }
    }

    @Test
    void loadsItGzipped() throws Exception {
        ImageStore store = new ImageStore(dir);
        store.load(new ByteArrayInputStream(TestArchives.gzip(archive())), p -> {});
        assertEquals(List.of(TWO_ID, BASE_ID), store.list().stream().map(ImageStore.Image::id).toList());
    }
}
