package dev.skiff.engine;

import static dev.skiff.engine.testing.FakeVmDriver.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.engine.api.Backend.WaitCondition;
import dev.skiff.engine.image.ImageStore;
import dev.skiff.engine.image.TestArchives;
import dev.skiff.engine.placement.Placement;
import dev.skiff.engine.testing.FakeVm;
import dev.skiff.engine.testing.Program;
import dev.skiff.engine.testing.TestEngine;
import dev.skiff.vm.DiskSpec;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker pull then docker run: a layer the pull made ready goes into the running shared VM at
 * once (Placement.preloadLayer), and the run that follows finds it there, plugged and mounted
 * once, even when the run comes while that mount is still under way.
 */
class PreloadTest {
    @TempDir
    Path dir;
    private TestEngine t;

    @BeforeEach
    void setUp() throws Exception {
        t = TestEngine.create(dir);
        t.driver.program("true", Program.exits(0));
    }

    @AfterEach
    void tearDown() {
        t.close();
    }

    @Test
    void aPreloadedLayerIsPluggedOnceAndTheRunUsesIt() throws Exception {
        runTiny(); // the shared VM runs, with the tiny image's layer
        FakeVm shared = t.driver.vms(Placement.SHARED_NAME).getFirst();
        assertEquals(1, layerDisks(shared).size());

        ImageStore.Image other = importOther("skiff-test/other:1", "other\n");
        String diffId = other.diffIds().getFirst();
        t.placement.preloadLayer(diffId, t.images.layerDisk(diffId));
        await("the layer is plugged and mounted ahead of any run", () -> layerDisks(shared).size() == 2
                && shared.agent().calls().stream().filter("AddStorage"::equals).count() >= 3);

        String id = t.engine.createContainer(null, TestEngine.specOf("skiff-test/other:1", "true"));
        t.engine.startContainer(id);
        assertEquals(0, t.engine.waitContainer(id, WaitCondition.NOT_RUNNING).get(10, TimeUnit.SECONDS));
        assertEquals(2, layerDisks(shared).size(), "the run plugged nothing more: " + layerDisks(shared));
    }

    @Test
    void aRunThatComesDuringThePreloadWaitsForItInsteadOfPluggingTwice() throws Exception {
        runTiny();
        FakeVm shared = t.driver.vms(Placement.SHARED_NAME).getFirst();
        ImageStore.Image other = importOther("skiff-test/other:2", "two\n");
        String diffId = other.diffIds().getFirst();
        String id = t.engine.createContainer(null, TestEngine.specOf("skiff-test/other:2", "true"));
        t.placement.preloadLayer(diffId, t.images.layerDisk(diffId)); // in the background: races the start
        t.engine.startContainer(id);
        assertEquals(0, t.engine.waitContainer(id, WaitCondition.NOT_RUNNING).get(10, TimeUnit.SECONDS));
        await("the preload ended", () -> t.log().stream().noneMatch(l -> l.contains("not plugged")));
        assertEquals(2, layerDisks(shared).size(), "one disk per layer, whoever plugged it: " + layerDisks(shared));
    }

    private void runTiny() throws Exception {
        String id = t.engine.createContainer(null, TestEngine.spec("true"));
        t.engine.startContainer(id);
        assertEquals(0, t.engine.waitContainer(id, WaitCondition.NOT_RUNNING).get(10, TimeUnit.SECONDS));
    }

    private static List<DiskSpec> layerDisks(FakeVm vm) {
        return vm.hotpluggedDisks().stream().filter(d -> d.readOnly()).toList();
    }

    private ImageStore.Image importOther(String ref, String content) throws Exception {
        byte[] rootfs = TestArchives.tar(TestArchives.files("other.txt", content));
        t.images.importRootfs(new ByteArrayInputStream(rootfs), ref, Map.of("CMD", "[\"true\"]"), p -> { });
        return t.images.resolve(ref);
    }
}
