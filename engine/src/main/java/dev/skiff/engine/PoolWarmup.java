package dev.skiff.engine;

import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.engine.api.Backend.NetworkSpec;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.image.ImageStore;
import dev.skiff.engine.network.Networking;
import dev.skiff.engine.placement.UtilityVm;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs one throwaway container ({@code busybox true} on the default bridge network) in a VM the
 * dedicated-VM pool has just booted, before the VM counts as ready. A VM's first container pays for
 * work no later one repeats: the network modules, the uplink and its nft table, the bridge, and
 * under TCG the translation of every code path crun and the kernel take to make a container (about
 * 3 s of a first run here, against under 1 s for the next). The pool's user should get the VM in
 * the state of the next one.
 *
 * <p>The warm-up leaves nothing of its own behind that a container could see: its namespace, its
 * address and its upper layer are removed; what stays is the busybox layer, plugged read-only as any
 * run of the built-in image would leave it. Without the built-in image (a user removed it) the
 * warm-up is skipped and the VM is pooled as booted.
 */
final class PoolWarmup {
    private static final Logger LOG = System.getLogger(PoolWarmup.class.getName());
    private static final String IMAGE = "busybox:latest";
    private static final Duration EXIT = Duration.ofSeconds(120);

    private final ImageStore images;
    private final Networking networking;
    private final Supplier<String> ids;

    /** @param ids new container ids (the container table's: the warm-up's is one no container has) */
    PoolWarmup(ImageStore images, Networking networking, Supplier<String> ids) {
        this.images = images;
        this.networking = networking;
        this.ids = ids;
    }

    void warm(UtilityVm vm) throws IOException {
        ImageStore.Image image;
        try {
            image = images.resolve(IMAGE);
        } catch (EngineException e) {
            LOG.log(Level.INFO, "no " + IMAGE + " to warm pooled VM " + vm.name() + " with: pooling it as booted");
            return;
        }
        String id = ids.get();
        long t0 = System.nanoTime();
        AgentClient agent = vm.agent();
        Networking.Attached net = null;
        try {
            List<String> layers = vm.layers(image.diffIds(), images::layerDisk);
            net = networking.attach(id, "skiff-pool-warmup", "warmup", NetworkSpec.DEFAULT, vm);
            byte[] spec = OciSpec.build(id, "warmup", OciSpec.Process.of(List.of("true")), List.of(), net.oci());
            agent.createContainer(id, spec, layers, "scratch", AgentClient.stdio(false, false));
            agent.startContainer(id);
            var status = agent.waitProcess(id, "", EXIT);
            if (status.getExitCode() != 0) {
                throw new IOException("its warm-up container exited with " + status.getExitCode());
            }
            agent.removeContainer(id, true, false);
        } catch (EngineException e) {
            throw new IOException("cannot warm pooled VM " + vm.name() + ": " + e.getMessage(), e);
        } finally {
            if (net != null) {
                networking.detach(id, net.state(), net.forwards(), vm);
            }
        }
        LOG.log(Level.DEBUG, "pooled VM " + vm.name() + " warmed in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    }
}
