package dev.skiff.cli;

import dev.skiff.image.GuestImageBuilder;
import dev.skiff.image.ImageCache;
import dev.skiff.image.AgentProgram;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code skiff guest build}: builds the utility-VM image, or finds it in the cache. */
@Command(name = "guest", mixinStandardHelpOptions = true, description = "The utility-VM image.",
        subcommands = {GuestCommand.Build.class})
public final class GuestCommand {
    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Build the guest kernel + initrd from Debian packages (cached by input hash).")
    static final class Build implements Callable<Integer> {
        @Option(names = "--force", description = "Rebuild even if the cache has an image for these inputs.")
        boolean force;

        @Override
        public Integer call() throws Exception {
            long start = System.nanoTime();
            GuestImageBuilder.Result r = new GuestImageBuilder(ImageCache.root(), ImageCache.shared(), s -> System.out.println("guest: " + s))
                    .build(AgentProgram.get(), force);
            System.out.printf("guest: %s in %.1f s%n", r.cached() ? "found cached image" : "built image",
                    (System.nanoTime() - start) / 1e9);
            System.out.println("contents, uncompressed (the initrd's, then those of /opt's image):");
            for (Map.Entry<String, Long> e : r.uncompressedByComponent().entrySet()) {
                System.out.printf("  %-26s %7.1f MB%n", e.getKey(), e.getValue() / 1e6);
            }
            boolean pvh = r.image().kernel().getFileName().toString().equals("vmlinux");
            System.out.printf("kernel  %s  %6.1f MB (Linux %s%s)%n", r.image().kernel(), r.kernelBytes() / 1e6,
                    r.image().kernelVersion(), pvh ? ", unpacked for a PVH boot: about half of it holes on disk" : "");
            System.out.printf("initrd  %s  %6.1f MB (LZ4; unpacked into the guest's RAM at boot)%n", r.image().initrd(),
                    r.initrdBytes() / 1e6);
            if (r.image().optImage() != null) {
                System.out.printf("/opt    %s  %6.1f MB (EROFS on virtio-pmem: mapped in place, shared by every VM)%n",
                        r.image().optImage(), r.optBytes() / 1e6);
            }
            return 0;
        }
    }
}
