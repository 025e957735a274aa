package dev.skiff.engine.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.engine.testing.FakeVm;
import dev.skiff.engine.testing.FakeVmDriver;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.VmConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After a daemon restart: the layer disks an earlier daemon plugged are known again by their layer
 * (from the record's image file names), the count of their users is what the daemon rebuilds from
 * the containers that exist, and the unused ones of deleted images can go.
 */
class AttachedLayersTest {
    private static final String KEPT = "sha256:" + "a".repeat(64);
    private static final String GONE = "sha256:" + "b".repeat(64);
    private static final String USED = "sha256:" + "c".repeat(64);

    @TempDir
    Path dir;
    private FakeVm vm;
    private AgentClient agent;

    @AfterEach
    void tearDown() {
        if (agent != null) {
            agent.close();
        }
        if (vm != null) {
            vm.close();
        }
    }

    @Test
    void anEarlierDaemonsLayersAreCountedAgainAndTheUnusedDeletedOnesGo() throws Exception {
        FakeVmDriver driver = new FakeVmDriver(dir.resolve("v"));
        vm = driver.start(VmConfig.of(Placement.SHARED_NAME, dir.resolve("k"), dir.resolve("i"), List.of(), List.of(),
                List.of(GuestPaths.AGENT_PORT)));
        agent = AgentClient.over(vm.channel(GuestPaths.AGENT_PORT).connect());
        for (String d : List.of(KEPT, GONE, USED)) {
            Path disk = Files.createFile(dir.resolve(d.substring(7) + ".erofs")); // the image store's names
            String serial = "l" + d.substring(7, 26);
            vm.hotplugDisk(new DiskSpec(disk, serial, true));
            agent.addLayer("layer-" + d.substring(7, 39), serial, "erofs");
        }

        UtilityVm u = UtilityVm.attached(vm, agent, "boot", FileSharing.ninePOnly()); // as LiveRestore does, then its containers:
        u.useLayers("c1", List.of(USED));
        assertEquals(1, u.layerUsers(USED));

        // the store has only KEPT's image now
        assertEquals(List.of(GONE), u.unplugUnusedLayers(d -> !d.equals(KEPT)));
        assertEquals(List.of("l" + GONE.substring(7, 26)), vm.unpluggedDisks());
        assertFalse(vm.agent().storages().containsKey("layer-" + GONE.substring(7, 39)));
        assertTrue(vm.agent().storages().containsKey("layer-" + USED.substring(7, 39)));

        u.releaseLayers("c1");
        assertEquals(List.of(USED), u.unplugUnusedLayers(d -> !d.equals(KEPT)));
        assertEquals(1, vm.hotpluggedDisks().size(), "only the kept image's layer is left: " + vm.hotpluggedDisks());
    }
}
