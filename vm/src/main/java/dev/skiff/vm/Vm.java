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

    /**
     * This VM's handle on the host, unique among the host's VMs while it runs: a later process
     * passes it to {@link VmDriver#attach(String)} to drive the VM again (for example a daemon
     * restarted while its containers' VMs kept running).
     */
    String id();

    VmState state();

    /** The hypervisor process's id, for records that outlive this process (and for diagnostics). */
    long pid();

    /**
     * Completes when the VM has exited and its resources are released; fails with a
     * {@link VmException} once the VM is {@linkplain #detach() detached} from this process.
     */
    CompletableFuture<VmExit> exit();

    /** A channel declared in the config. Connect to it to talk to the guest. */
    Channel channel(String name) throws VmException;

    /** Adds a new byte channel to the running guest. */
    Channel hotplugChannel(String name) throws IOException;

    /**
     * Removes a hot-plugged channel from the running guest, once QEMU reports the port gone, and
     * frees its place on the bus for a later channel. The guest must have stopped using it.
     */
    void unplugChannel(String name) throws IOException;

    /**
     * Hot-plugged disks that get a PCI slot each, before the rest go on the SCSI controller, unless
     * the caller says fewer. The pc machine's bus has 32 slots; the VM's own devices take 7 and
     * hot-plugged NICs (one per network a container joins) need some.
     */
    int PCI_HOTPLUG_DISKS = 16;

    /** {@link #hotplugDisk(DiskSpec, int)} with up to {@link #PCI_HOTPLUG_DISKS} disks on PCI. */
    default DiskBus hotplugDisk(DiskSpec disk) throws IOException {
        return hotplugDisk(disk, PCI_HOTPLUG_DISKS);
    }

    /**
     * Attaches a disk to the running guest and says on which bus: while fewer than {@code pciDisks}
     * hot-plugged disks are attached, on a PCI slot of its own (a fresh guest finds it without
     * loading a driver), else on the SCSI controller. Under emulation a PCI hot-plug costs the
     * guest half a second to a second (the ACPI hot-plug event, then a bus scan), a SCSI one a
     * tenth of that once the SCSI drivers are in (loading them costs a fresh guest about two
     * seconds): a VM that takes many disks over its life wants SCSI early. The choice follows the
     * count of attached disks, so a daemon that re-attaches to the VM makes the same ones.
     */
    DiskBus hotplugDisk(DiskSpec disk, int pciDisks) throws IOException;

    /**
     * Detaches a hot-plugged disk from the running guest, found by its serial: the device goes
     * first (for a PCI disk the guest must give it up, so this waits for the hypervisor to report
     * it gone), then the host's node and with it the image file it holds open. The record of
     * hot-plugged disks drops it, so a later process that attaches does not count it, and its
     * place (a PCI slot, a SCSI target) is free for a later disk. The guest must no longer use
     * the disk (unmounted): a device pulled from under a mount fails that mount's every read.
     */
    void unplugDisk(String serial) throws IOException;

    /**
     * Forwards a host port into the guest through the VM's {@link Uplink} (QEMU: {@code
     * hostfwd_add}). Fails with a message naming the address when the host port cannot be bound
     * (in use, or privileged), and when the VM has no uplink. The forward lives as long as the VM,
     * across a detach and attach, until {@link #removeHostForward}.
     */
    void addHostForward(HostForward forward) throws IOException;

    /** Stops forwarding a host port; a forward that is not there is not an error. */
    void removeHostForward(HostForward forward) throws IOException;

    /**
     * Plugs a network card into the running guest, its frames on a stream socket the hypervisor
     * listens on; returns that socket's path. Recorded like disks and channels, so a later
     * process that attaches finds it ({@link #hotpluggedNics()}) and can connect again.
     */
    java.nio.file.Path hotplugNic(NicSpec nic) throws IOException;

    /** The stream socket of a NIC plugged earlier (by this process or an earlier one). */
    java.nio.file.Path nicSocket(String name) throws VmException;

    /** The NICs hot-plugged so far, in order, as {@link #hotpluggedDisks()}. */
    java.util.List<NicSpec> hotpluggedNics();

    /**
     * True if the guest's RAM is shared memory a vhost-user back-end can map, so that
     * {@link #hotplugFilesystem} can work. False for VMs booted without it (another host, or an
     * older daemon's VM found again).
     */
    default boolean sharedMemory() {
        return false;
    }

    /**
     * Where the back-end of the virtio-fs device {@code tag} must listen (a unix socket in the
     * VM's run folder, short enough for the 107-byte limit).
     */
    default Path filesystemSocket(String tag) throws VmException {
        throw new VmException("VM " + name() + " cannot take virtio-fs devices");
    }

    /**
     * Plugs a virtio-fs device named {@code tag} (at most 36 bytes) into the running guest. Its
     * vhost-user back-end must already listen on {@link #filesystemSocket} and answer: the
     * hypervisor connects and negotiates with it before this returns. Recorded like disks.
     */
    default void hotplugFilesystem(String tag) throws IOException {
        throw new VmException("VM " + name() + " cannot take virtio-fs devices: its RAM is not shared memory");
    }

    /**
     * Removes a virtio-fs device once the hypervisor reports it gone (the guest must have
     * unmounted it), then its socket connection, which ends the back-end's session.
     */
    default void unplugFilesystem(String tag) throws IOException {
        throw new VmException("VM " + name() + " has no virtio-fs device " + tag);
    }

    /**
     * How many virtio-fs devices a VM takes at once: they sit on a PCI bridge of their own, whose
     * hot-plug controller (SHPC) has 31 slots.
     */
    int FILESYSTEM_SLOTS = 31;

    /** The tags of the virtio-fs devices plugged in, as {@link #hotpluggedDisks()}. */
    default java.util.List<String> hotpluggedFilesystems() {
        return java.util.List.of();
    }

    /** Where the guest's console output goes. */
    Path consoleLog();

    /**
     * Asks the guest to power off (ACPI power button), then ends the VM through the hypervisor
     * if it is still there after {@code grace}, and kills it as a last resort.
     */
    VmExit stop(Duration grace) throws IOException;

    /** Kills the VM at once. */
    VmExit kill();

    /**
     * The disks hot-plugged so far, in order, including those an earlier process added to a VM
     * this one attached to (a daemon that restarts needs to know which layers the guest has).
     */
    java.util.List<DiskSpec> hotpluggedDisks();

    /** The channels hot-plugged so far, in order, as {@link #hotpluggedDisks()}. */
    java.util.List<String> hotpluggedChannels();

    /**
     * Lets go of the VM without stopping it: closes this process's connections to the hypervisor
     * and stops watching it, and leaves the VM and its run folder as they are, for
     * {@link VmDriver#attach(String)} (from this process or a later one). Channel connections the
     * caller opened are the caller's to close. Afterwards {@link #exit()} has failed with a
     * {@link VmException}, {@link #close()} does nothing, and every other call fails. Does nothing
     * if the VM has already exited.
     */
    void detach();

    /** Kills the VM if it still runs, unless it has been {@linkplain #detach() detached}. */
    @Override
    void close();

    /**
     * Makes this VM, started by {@link VmDriver#startTemplate}, a template: pauses it, writes the
     * state of its devices to {@code state} (its RAM is already in the template's file) and ends it.
     */
    default void saveTemplate(Path state) throws IOException {
        throw new VmException("VM " + name() + " was not started to become a template");
    }

    /** Whether this VM started from a template rather than booting (its clock needs setting). */
    default boolean fromTemplate() {
        return false;
    }
}
