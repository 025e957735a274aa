package dev.skiff.image;

import java.nio.file.Path;
import java.util.List;

/**
 * A built guest image: the kernel, the initrd, and the arguments that boot it.
 *
 * @param kernelArgs kernel parameters the image needs (the VM driver adds its console ones)
 * @param initArgs arguments for the init program, passed after {@code --} on the command line
 */
public record GuestImage(Path kernel, Path initrd, String kernelVersion, List<String> kernelArgs,
                         List<String> initArgs) {
    public GuestImage {
        kernelArgs = List.copyOf(kernelArgs);
        initArgs = List.copyOf(initArgs);
    }
}
