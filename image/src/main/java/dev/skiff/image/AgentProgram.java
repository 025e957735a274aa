package dev.skiff.image;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/**
 * The default guest program: the agent ({@code dev.skiff.agent.Main}), which also serves the
 * self-test control port when a VM has one. Its jars are the ones this JVM loaded it from.
 */
public final class AgentProgram {
    private AgentProgram() {}

    public static GuestProgram get() throws IOException {
        return new GuestProgram("dev.skiff.agent.Main",
                List.of(codeSource(dev.skiff.agent.Main.class), codeSource(dev.skiff.agent.api.GuestPaths.class),
                        codeSource(dev.skiff.guest.Main.class), codeSource(dev.skiff.ttrpc.Server.class),
                        codeSource(dev.skiff.sys.Mounts.class), codeSource(dev.skiff.p9.wire.Codec.class),
                        codeSource(com.google.protobuf.MessageLite.class)),
                // protobuf-java reaches for sun.misc.Unsafe (jdk.unsupported) and java.util.logging.
                List.of("java.base", "jdk.unsupported", "java.logging"), GuestProgram.SMALL_JVM);
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
