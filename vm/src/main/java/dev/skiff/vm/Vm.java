package dev.skiff.vm;

import dev.skiff.vm.channel.Channel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A running VM. Every method is safe to call from any thread. Once the VM has exited, channel
 * and hot-plug calls fail with a {@link VmException} naming the exit, and all host-side
 * resources (process, sockets, run folder) are gone.
 */
public interface Vm extends AutoCloseable {
    String name();

    VmState state();

    /** The hypervisor process's id, for records that outlive this process (and for diagnostics). */
    long pid();

    /** Completes when the VM has exited and its resources are released. */
    CompletableFuture<VmExit> exit();

    /** A channel declared in the config. Connect to it to talk to the guest. */
    Channel channel(String name) throws VmException;

    /** Adds a new byte channel to the running guest. */
    Channel hotplugChannel(String name) throws IOException;

    /** Attaches a disk to the running guest. */
    void hotplugDisk(DiskSpec disk) throws IOException;

    /** Where the guest's console output goes. */
    Path consoleLog();

    /**
     * Asks the guest to power off (ACPI power button), then ends the VM through the hypervisor
     * if it is still there after {@code grace}, and kills it as a last resort.
     */
    VmExit stop(Duration grace) throws IOException;

    /** Kills the VM at once. */
    VmExit kill();

    /** Kills the VM if it still runs. */
    @Override
    void close();
}
