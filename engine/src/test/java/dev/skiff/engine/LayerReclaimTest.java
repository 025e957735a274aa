package dev.skiff.engine;

import static dev.skiff.engine.testing.FakeVmDriver.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.Backend.WaitCondition;
import dev.skiff.engine.image.ImageStore;
import dev.skiff.engine.image.TestArchives;
import dev.skiff.engine.placement.Placement;
import dev.skiff.engine.placement.UtilityVm;
import dev.skiff.engine.testing.FakeVm;
import dev.skiff.engine.testing.Program;
import dev.skiff.engine.testing.TestEngine;
import dev.skiff.vm.DiskSpec;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19, layer disks follow their containers: the shared VM unplugs a layer once no container
 * in it uses the layer and its image is deleted; a layer whose image exists stays (a cache); a
 * layer a container uses never goes, and a container that wants a layer while it goes gets it
 * plugged again.
 */
class LayerReclaimTest {
    private static final String B = "skiff-test/b:1";
    @TempDir
    Path dir;
    private TestEngine t;

    @BeforeEach
    void setUp() throws Exception {
        t = TestEngine.create(dir);
        t.driver.program("true", Program.exits(0));
        t.driver.program("sleep", Program.exitsOnSignal(0));
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    @Test
    void rmiOfAnImageNoContainerUsesUnplugsItsLayerAndAnImportOfItPlugsItAgain() throws Exception {
        String tiny = runAndRemove(TestEngine.spec("true")); // the shared VM runs, with the tiny image's layer
        String b = importB("b\n");
        runAndRemove(TestEngine.specOf(B, "true"));
        FakeVm shared = shared();
        assertTrue(hasLayer(shared, b), "B's layer was plugged for its run");

        t.engine.removeImage(B, false);
        assertFalse(hasLayer(shared, b), "B's layer went with its image: " + layerDisks(shared));
        assertFalse(shared.agent().storages().containsKey(storageId(b)), "and was unmounted first");
        assertTrue(hasLayer(shared, tiny), "the tiny image still exists: its layer stays, a cache");
        assertEquals(List.of(serial(b)), shared.unpluggedDisks());

        String again = importB("b\n"); // the same layer again
        assertEquals(b, again);
        runAndRemove(TestEngine.specOf(B, "true"));
        assertTrue(hasLayer(shared, b), "plugged again for the new run: " + layerDisks(shared));
    }

    @Test
    void aLayerARunningContainerUsesStaysUntilItLeavesTheVm() throws Exception {
        String b = importB("b\n");
        String id = t.engine.createContainer(null, TestEngine.specOf(B, "sleep"));
        t.engine.startContainer(id);
        UtilityVm vm = sharedVm();
        assertEquals(1, vm.layerUsers(b));
        // as if its image had left the store: the count alone keeps the layer
        assertEquals(List.of(), vm.unplugUnusedLayers(d -> true));
        assertTrue(hasLayer(shared(), b));

        t.engine.removeContainer(id, true, false);
        assertEquals(0, vm.layerUsers(b));
        assertTrue(hasLayer(shared(), b), "its image exists: the layer stays plugged");
        t.engine.removeImage(B, false);
        assertFalse(hasLayer(shared(), b));
    }

    @Test
    void aContainerThatWantsALayerWhileItGoesWaitsAndGetsItPluggedAgain() throws Exception {
        String b = importB("b\n");
        runAndRemove(TestEngine.specOf(B, "true"));
        FakeVm shared = shared();
        UtilityVm vm = sharedVm();
        CountDownLatch inUnplug = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        shared.beforeUnplugDisk(() -> {
            inUnplug.countDown();
            try {
                letGo.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        CompletableFuture<List<String>> unplugged = CompletableFuture.supplyAsync(() -> vm.unplugUnusedLayers(d -> true));
        assertTrue(inUnplug.await(10, TimeUnit.SECONDS));
        CompletableFuture<List<String>> taken = CompletableFuture.supplyAsync(() -> {
            try {
                return vm.layers("c2", List.of(b), t.images::layerDisk);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(200); // (only to give a wrong implementation the chance to go ahead)
        assertFalse(taken.isDone(), "the use waits for the unplug under way");
        letGo.countDown();
        assertTrue(unplugged.get(10, TimeUnit.SECONDS).contains(b));
        assertEquals(List.of(storageId(b)), taken.get(10, TimeUnit.SECONDS));
        assertTrue(hasLayer(shared, b), "plugged again after the unplug: " + layerDisks(shared));
        assertTrue(shared.agent().storages().containsKey(storageId(b)), "and mounted again");
        assertEquals(1, vm.layerUsers(b));
    }

    @Test
    void rmOfAContainerAlsoReclaimsTheLayersOfImagesAlreadyGone() throws Exception {
        String b = importB("b\n");
        String id = t.engine.createContainer(null, TestEngine.specOf(B, "sleep"));
        t.engine.startContainer(id);
        t.engine.removeImage(B, true); // in use: only untagged, its layers stay in the store
        assertTrue(hasLayer(shared(), b));
        t.engine.removeContainer(id, true, false);
        assertTrue(hasLayer(shared(), b), "the untagged image still exists (dangling): its layer stays");
    }

    private String runAndRemove(dev.skiff.engine.api.Backend.CreateSpec spec) throws Exception {
        String id = t.engine.createContainer(null, spec);
        t.engine.startContainer(id);
        assertEquals(0, t.engine.waitContainer(id, WaitCondition.NOT_RUNNING).get(10, TimeUnit.SECONDS));
        t.engine.removeContainer(id, false, false);
        return t.images.resolve(spec.image()).diffIds().getFirst();
    }

    private String importB(String content) throws Exception {
        byte[] rootfs = TestArchives.tar(TestArchives.files("b.txt", content));
        t.images.importRootfs(new ByteArrayInputStream(rootfs), B, Map.of("CMD", "[\"true\"]"), p -> { });
        ImageStore.Image image = t.images.resolve(B);
        return image.diffIds().getFirst();
    }

    private FakeVm shared() {
        return t.driver.vms(Placement.SHARED_NAME).getFirst();
    }

    private UtilityVm sharedVm() {
        return t.placement.vms().stream().filter(v -> v.mode() == UtilityVm.Mode.SHARED).findFirst().orElseThrow();
    }

    private static boolean hasLayer(FakeVm vm, String diffId) {
        return layerDisks(vm).stream().anyMatch(d -> d.serial().equals(serial(diffId)));
    }

    private static List<DiskSpec> layerDisks(FakeVm vm) {
        return vm.hotpluggedDisks().stream().filter(DiskSpec::readOnly).toList();
    }

    private static String serial(String diffId) {
        return "l" + diffId.substring("sha256:".length(), "sha256:".length() + 19);
    }

    private static String storageId(String diffId) {
        return "layer-" + diffId.substring("sha256:".length(), "sha256:".length() + 32);
    }
}
