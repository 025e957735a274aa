package dev.skiff.engine;

import static dev.skiff.engine.testing.FakeVmDriver.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.api.Backend.VmInfo;
import dev.skiff.engine.api.Backend.WaitCondition;
import dev.skiff.engine.testing.FakeVm;
import dev.skiff.engine.testing.Program;
import dev.skiff.engine.testing.TestEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dedicated-VM pool with the real Engine and Placement over fake VMs: a new dedicated container
 * takes a VM booted ahead of need, the pool boots its replacement, no VM serves two containers, and
 * the container's upper layer is kept under its own name for its next start, which boots cold.
 */
@Timeout(60)
class VmPoolTest {
    @TempDir
    Path dir;

    private TestEngine t;

    @AfterEach
    void tearDown() {
        if (t != null) {
            t.close();
        }
    }

    private List<FakeVm> pooledVms() {
        return t.driver.vms().stream().filter(v -> v.name().startsWith("skiff-p")).toList();
    }

    private List<VmInfo> waiting() {
        return t.engine.info().vms().stream().filter(v -> v.mode().equals("pooled")).toList();
    }

    @Test
    void aNewDedicatedContainerTakesAPooledVmAndThePoolBootsItsReplacement() throws Exception {
        t = TestEngine.withPool(dir, 1);
        t.driver.program("quick", Program.exits(0));
        t.placement.fillPool();
        await("the pool boots a VM ahead of need", () -> waiting().size() == 1);
        String pooled = waiting().getFirst().name();
        assertTrue(pooled.startsWith("skiff-p"), pooled);

        String id = t.engine.createContainer(null, TestEngine.dedicated("quick"));
        String dedicatedName = "skiff-" + id.substring(0, 12);
        CompletableFuture<Integer> exit = t.engine.waitContainer(id, WaitCondition.NEXT_EXIT);
        t.engine.startContainer(id);
        assertEquals(pooled, t.engine.inspectContainer(id).summary().vm(), "the container runs in the pooled VM");
        assertTrue(t.driver.vms(dedicatedName).isEmpty(), "no VM was booted for it");
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        await("the pool boots a replacement", () -> waiting().size() == 1 && !waiting().getFirst().name().equals(pooled));
        FakeVm used = t.driver.vms(pooled).getFirst();
        await("the used VM stops with its container", used::exited);

        Path vms = dir.resolve("data/vms");
        await("its upper layer is kept under the container's name",
                () -> Files.exists(vms.resolve(dedicatedName).resolve("scratch.ext4")) && !Files.exists(vms.resolve(pooled)));

        CompletableFuture<Integer> again = t.engine.waitContainer(id, WaitCondition.NEXT_EXIT);
        t.engine.startContainer(id);
        assertEquals(0, again.get(10, TimeUnit.SECONDS));
        List<FakeVm> cold = t.driver.vms(dedicatedName);
        assertEquals(1, cold.size(), "a container that ran before boots a VM with its kept disk, not a pooled one");
        assertEquals(vms.resolve(dedicatedName).resolve("scratch.ext4"), cold.getFirst().config().disks().getFirst().image());
        assertEquals(1, waiting().size(), "the pooled VM still waits");

        await("the second VM stops", () -> cold.getFirst().exited());
        t.engine.removeContainer(id, false, false);
        assertFalse(Files.exists(vms.resolve(dedicatedName)), "docker rm deletes the kept disk");
    }

    @Test
    void noVmServesTwoContainers() throws Exception {
        t = TestEngine.withPool(dir, 1);
        t.driver.program("quick", Program.exits(0));
        t.placement.fillPool();
        Set<String> vmNames = new HashSet<>();
        Set<String> bootIds = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            await("a pooled VM waits", () -> waiting().size() == 1);
            String bootId = waiting().getFirst().bootId();
            String id = t.engine.createContainer(null, TestEngine.dedicated("quick"));
            CompletableFuture<Integer> exit = t.engine.waitContainer(id, WaitCondition.NEXT_EXIT);
            t.engine.startContainer(id);
            assertTrue(vmNames.add(t.engine.inspectContainer(id).summary().vm()), "a VM already used was handed out");
            assertTrue(bootIds.add(bootId), "a boot id seen before");
            assertEquals(0, exit.get(10, TimeUnit.SECONDS));
        }
        await("the pool refills after the third", () -> waiting().size() == 1);
        assertEquals(4, pooledVms().size(), "three taken, one waiting: every container had a VM of its own");
    }

    @Test
    void aPoolOfZeroBootsNothingAheadAndStopAllEndsThePool() throws Exception {
        t = TestEngine.withPool(dir, 0);
        t.placement.fillPool();
        assertTrue(t.driver.vms().isEmpty(), "no VM before a container asks for one");
        t.close();

        t = TestEngine.withPool(dir.resolve("second"), 2);
        t.placement.fillPool();
        await("the pool fills", () -> waiting().size() == 2);
        List<FakeVm> two = pooledVms();
        assertNotEquals(two.get(0).name(), two.get(1).name());
        t.engine.stopAllVms();
        assertTrue(two.stream().allMatch(FakeVm::exited), "stopping every VM stops the pooled ones");
        assertEquals(2, pooledVms().size(), "and the pool does not refill after it");
        assertTrue(waiting().isEmpty());
    }
}
