package dev.skiff.image;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** The default guest program: {@code dev.skiff.guest.Main}, from the jars this JVM loaded it from. */
public final class SelftestProgram {
    private SelftestProgram() {}

    public static GuestProgram get() throws IOException {
        return new GuestProgram("dev.skiff.guest.Main",
                List.of(codeSource(dev.skiff.guest.Main.class), codeSource(dev.skiff.sys.Mounts.class)),
                List.of("java.base"), GuestProgram.SMALL_JVM);
    }

    /** The jar (or classes folder, in a development build) a class was loaded from. */
    public static Path codeSource(Class<?> type) throws IOException {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot locate the jar holding " + type.getName(), e);
        }
    }
}
