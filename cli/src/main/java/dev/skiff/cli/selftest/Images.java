package dev.skiff.cli.selftest;

import dev.skiff.image.GuestImage;
import dev.skiff.image.GuestImageBuilder;
import dev.skiff.image.ImageCache;
import dev.skiff.image.AgentProgram;
import java.io.IOException;
import java.io.PrintStream;

/** The default guest image, built on first use. */
public final class Images {
    private Images() {}

    public static GuestImageBuilder.Result selftest(PrintStream progress) throws IOException {
        return new GuestImageBuilder(ImageCache.root(), ImageCache.shared(), s -> progress.println("guest: " + s)).build(AgentProgram.get());
    }

    public static GuestImage selftestImage(PrintStream progress) throws IOException {
        return selftest(progress).image();
    }
}
