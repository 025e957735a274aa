package dev.skiff.engine.testing;

import dev.skiff.engine.Engine;
import dev.skiff.engine.api.Backend.CreateSpec;
import dev.skiff.engine.api.Backend.RestartPolicy;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.image.ImageStore;
import dev.skiff.engine.image.TestArchives;
import dev.skiff.engine.placement.Placement;
import dev.skiff.image.GuestImage;
import dev.skiff.registry.RegistryClient;
import dev.skiff.registry.RegistryConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real {@link Engine} over a {@link FakeVmDriver}, for unit tests of the engine's own logic: its
 * Placement, UtilityVm, Lifecycle, table and store are the production ones; only the VMs are fake.
 * The image store holds one tiny imported image, {@link #IMAGE}, whose CMD is {@code ["true"]}.
 */
public final class TestEngine implements AutoCloseable {
    public static final String IMAGE = "skiff-test/tiny:1";

    public final FakeVmDriver driver;
    public final Engine engine;
    public final ImageStore images;
    public final Placement placement;
    private final RegistryClient registries;
    private final LogCapture log = new LogCapture("dev.skiff.engine"); // Placement's and the Engine's classes

    private TestEngine(Path dir, Duration sharedIdle) throws IOException, EngineException {
        this(dir, sharedIdle, 0);
    }

    private TestEngine(Path dir, Duration sharedIdle, int pool) throws IOException, EngineException {
        driver = new FakeVmDriver(Files.createDirectories(dir.resolve("v")));
        images = new ImageStore(dir.resolve("images"));
        images.importRootfs(new ByteArrayInputStream(rootfs()), IMAGE, Map.of("CMD", "[\"true\"]"), p -> { });
        Path fakeBoot = dir.resolve("guest");
        GuestImage guest = new GuestImage(fakeBoot.resolve("vmlinuz"), fakeBoot.resolve("initrd"), null, "0.0-fake",
                List.of(), List.of());
        placement = new Placement(driver, () -> guest, dir.resolve("data/vms"), sharedIdle, 512, pool);
        registries = new RegistryClient(RegistryConfig.defaults());
        engine = new Engine(dir.resolve("data"), images, registries, placement, dir.resolve("docker.sock"));
    }

    /** An engine whose shared VM stops only after a minute without containers. */
    public static TestEngine create(Path dir) throws IOException, EngineException {
        return new TestEngine(dir, Duration.ofMinutes(1));
    }

    /** As {@link #create}, with a dedicated-VM pool of {@code pool} VMs (filled by {@link Placement#fillPool}). */
    public static TestEngine withPool(Path dir, int pool) throws IOException, EngineException {
        return new TestEngine(dir, Duration.ofMinutes(1), pool);
    }

    /** What the engine logged so far. */
    public List<String> log() {
        return log.lines();
    }

    /** A docker create's spec for {@link #IMAGE} running {@code cmd} on the shared VM. */
    public static CreateSpec spec(String... cmd) {
        return spec("", null, cmd);
    }

    /** As {@link #spec(String...)}, with --isolation=hyperv: a VM of its own. */
    public static CreateSpec dedicated(String... cmd) {
        return spec("hyperv", null, cmd);
    }

    /** As {@link #spec(String...)}, with a restart policy. */
    public static CreateSpec restarting(RestartPolicy restart, String... cmd) {
        return spec("", restart, cmd);
    }

    /** A docker create's spec for another image, on the shared VM. */
    public static CreateSpec specOf(String image, String... cmd) {
        return new CreateSpec(image, List.of(cmd), null, List.of(), "", "", "", false, false, false, Map.of(),
                List.of(), false, "", null, null, null, null, null);
    }

    private static CreateSpec spec(String isolation, RestartPolicy restart, String[] cmd) {
        return new CreateSpec(IMAGE, List.of(cmd), null, List.of(), "", "", "", false, false, false, Map.of(),
                List.of(), false, isolation, null, null, null, restart, null);
    }

    @Override
    public void close() {
        engine.stopAllVms();
        engine.close();
        registries.close();
        driver.vms().forEach(FakeVm::close);
        log.close();
    }

    /** A one-file root file system. */
    private static byte[] rootfs() {
        return TestArchives.tar(TestArchives.files("etc/", null, "etc/hostname", "tiny\n"));
    }
}
