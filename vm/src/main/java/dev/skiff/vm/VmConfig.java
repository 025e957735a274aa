package dev.skiff.vm;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a VM is: its boot files and arguments, size, acceleration, and the channels and disks it
 * has at boot. A VM has a network card only when it has an {@link Uplink}.
 *
 * @param name short id, used in socket and log names
 * @param kernelArgs kernel parameters (the driver adds its own console settings)
 * @param initArgs arguments after {@code --}, handed to the init program
 * @param channels names of byte channels present at boot
 * @param consoleLog where the guest console is written; null puts it in the driver's log folder
 * @param uplink the user-mode network card, or null for none
 * @param mappedImage a read-only file-system image the guest maps in place (a virtio-pmem device,
 *        which the guest mounts with DAX), or null for none: its pages are the host's page cache,
 *        shared by every VM that maps the same file, instead of a copy in each guest's RAM
 */
public record VmConfig(String name, Path kernel, Path initrd, List<String> kernelArgs, List<String> initArgs,
                       int memoryMiB, int cpus, Accel accel, List<String> channels, List<DiskSpec> disks,
                       Path consoleLog, Uplink uplink, Path mappedImage) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,39}");
    private static final Pattern CHANNEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");

    public VmConfig {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("VM name must be 1-40 of [a-z0-9_.-]: " + name);
        }
        if (memoryMiB < 64 || cpus < 1) {
            throw new IllegalArgumentException("a VM needs at least 64 MiB and 1 vCPU");
        }
        channels.forEach(VmConfig::checkChannelName);
        kernelArgs = List.copyOf(kernelArgs);
        initArgs = List.copyOf(initArgs);
        channels = List.copyOf(channels);
        disks = List.copyOf(disks);
    }

    public static void checkChannelName(String channel) {
        if (!CHANNEL.matcher(channel).matches()) {
            throw new IllegalArgumentException("channel name must be 1-32 of [A-Za-z0-9_.-]: " + channel);
        }
    }

    /** A config with the usual defaults: 512 MiB, 2 vCPUs, automatic acceleration, no disks. */
    public static VmConfig of(String name, Path kernel, Path initrd, List<String> kernelArgs, List<String> initArgs,
                              List<String> channels) {
        return new VmConfig(name, kernel, initrd, kernelArgs, initArgs, 512, 2, Accel.AUTO, channels, List.of(), null, null, null);
    }

    public VmConfig withMemory(int mib, int vcpus) {
        return new VmConfig(name, kernel, initrd, kernelArgs, initArgs, mib, vcpus, accel, channels, disks, consoleLog, uplink, mappedImage);
    }

    public VmConfig withAccel(Accel a) {
        return new VmConfig(name, kernel, initrd, kernelArgs, initArgs, memoryMiB, cpus, a, channels, disks, consoleLog, uplink, mappedImage);
    }

    public VmConfig withUplink(Uplink u) {
        return new VmConfig(name, kernel, initrd, kernelArgs, initArgs, memoryMiB, cpus, accel, channels, disks, consoleLog, u, mappedImage);
    }

    public VmConfig withDisks(List<DiskSpec> d) {
        return new VmConfig(name, kernel, initrd, kernelArgs, initArgs, memoryMiB, cpus, accel, channels, d, consoleLog, uplink, mappedImage);
    }

    public VmConfig withMappedImage(Path image) {
        return new VmConfig(name, kernel, initrd, kernelArgs, initArgs, memoryMiB, cpus, accel, channels, disks, consoleLog, uplink,
                image);
    }
}
