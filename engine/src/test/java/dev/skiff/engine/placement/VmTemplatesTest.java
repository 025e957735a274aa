package dev.skiff.engine.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.engine.testing.FakeVm;
import dev.skiff.engine.testing.FakeVmDriver;
import dev.skiff.vm.DiskSpec;
import dev.skiff.vm.VmConfig;
import dev.skiff.vm.VmTemplate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VM templates over the fake driver: made once, used by later VMs with the host's time, dropped when they fail. */
class VmTemplatesTest {
    @TempDir
    Path dir;

    private VmConfig config(String name, int mib) throws Exception {
        Path disk = dir.resolve(name + ".disk");
        Files.write(disk, new byte[4096]);
        return VmConfig.of(name, dir.resolve("vmlinux"), dir.resolve("initrd"), List.of(), List.of(), List.of("skiff.agent"))
                .withMemory(mib, 2).withDisks(List.of(new DiskSpec(disk, UtilityVm.SCRATCH_SERIAL, false)));
    }

    @Test
    void aTemplateIsMadeOnceThenVmsStartFromItAndTakeTheHostsTime() throws Exception {
        Path sockets = Files.createTempDirectory(Path.of("/tmp"), "vt");
        FakeVmDriver driver = new FakeVmDriver(sockets).withTemplates();
        VmTemplates store = new VmTemplates(dir.resolve("templates"), driver);
        VmConfig config = config("skiff-a", 512);
        assertNull(store.find(config));

        VmTemplate t = store.build(config, Duration.ofSeconds(30));
        assertNotNull(t);
        assertTrue(Files.isRegularFile(t.ram()) && Files.isRegularFile(t.state()));
        FakeVm maker = driver.vms().getFirst();
        assertTrue(maker.name().startsWith(VmTemplates.BUILDING_PREFIX), maker.name());
        assertEquals(List.of("Ping", "PrepareTemplate"), maker.agent().calls(), "ready, then caches dropped");
        assertTrue(maker.exit().isDone(), "the template's VM ends with its snapshot");
        assertFalse(maker.config().disks().getFirst().image().equals(config.disks().getFirst().image()),
                "the template's VM gets a throwaway disk, never the real one");
        assertFalse(Files.exists(maker.config().disks().getFirst().image()), "and it is deleted");
        try (Stream<Path> s = Files.list(dir.resolve("templates"))) {
            assertEquals(List.of(t.key(), t.key() + ".lock"), s.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no half-made folder left");
        }
        assertEquals(t, store.find(config), "found by its key");
        assertNull(store.find(config("skiff-b", 1024)), "another size is another template");
        assertEquals(t, store.build(config, Duration.ofSeconds(30)), "made once");
        assertEquals(1, driver.vms().size());

        UtilityVm u = UtilityVm.boot(driver, config, UtilityVm.Mode.DEDICATED, FileSharing.ninePOnly(), t, store);
        assertTrue(u.vm().fromTemplate());
        List<String> calls = ((FakeVm) u.vm()).agent().calls();
        assertEquals(List.of("Ping", "SetClock"), calls.subList(0, 2), "the clock is set before anything else: " + calls);

        driver.breakTemplate(t.key());
        UtilityVm booted = UtilityVm.boot(driver, config, UtilityVm.Mode.DEDICATED, FileSharing.ninePOnly(), t, store);
        assertFalse(booted.vm().fromTemplate(), "a template that fails: the VM boots");
        assertFalse(((FakeVm) booted.vm()).agent().calls().contains("SetClock"));
        assertNull(store.find(config), "and the template is gone, to be made again");
    }

    @Test
    void aDriverWithoutTemplatesMakesNone() throws Exception {
        FakeVmDriver driver = new FakeVmDriver(Files.createTempDirectory(Path.of("/tmp"), "vt"));
        VmTemplates store = new VmTemplates(dir.resolve("templates"), driver);
        assertNull(store.build(config("skiff-a", 512), Duration.ofSeconds(30)));
        assertTrue(driver.vms().isEmpty());
    }
}
