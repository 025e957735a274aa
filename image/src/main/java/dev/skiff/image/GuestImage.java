package dev.skiff.image;

import java.nio.file.Path;
import java.util.List;

/**
 * A built guest image: the kernel, the initrd, the image of /opt the guest maps in place, and the
 * arguments that boot it.
 *
 * @param optImage the EROFS image of /opt (the Java runtime and the guest program), which the VM
 *        must have as its mapped image (a virtio-pmem device); null for an image without one
 * @param kernelArgs kernel parameters the image needs (the VM driver adds its console ones)
 * @param initArgs arguments for the init program, passed after {@code --} on the command line
 */
public record GuestImage(Path kernel, Path initrd, Path optImage, String kernelVersion, List<String> kernelArgs,
                         List<String> initArgs) {
    public GuestImage {
        kernelArgs = List.copyOf(kernelArgs);
        initArgs = List.copyOf(initArgs);
    }
}
