package dev.skiff.engine.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.image.GuestImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the daemon's environment adds to a guest's kernel command line. */
class KernelArgsTest {
    private static final GuestImage IMAGE = new GuestImage(Path.of("/k"), Path.of("/i"), Path.of("/o"), "6.1",
            List.of("panic=-1", "rdinit=/init"), List.of("@/etc/skiff/java.args"));

    @Test
    void nothingAskedNothingAdded() {
        assertEquals(List.of("panic=-1", "rdinit=/init"), Placement.kernelArgs(IMAGE, Map.of()));
        assertEquals(List.of("panic=-1", "rdinit=/init"),
                Placement.kernelArgs(IMAGE, Map.of("SKIFF_OCI_RUNTIME", "crun", "SKIFF_GUEST_JAVA_OPTIONS", "  ")));
    }

    @Test
    void runcAndTheAgentsJavaOptionsBecomeInitEnvironment() {
        assertEquals(List.of("panic=-1", "rdinit=/init", "SKIFF_OCI_RUNTIME=runc",
                        "JAVA_TOOL_OPTIONS=\"-Xlog:class+load -XX:DumpLoadedClassList=/dev/console\""),
                Placement.kernelArgs(IMAGE, Map.of("SKIFF_OCI_RUNTIME", "runc",
                        "SKIFF_GUEST_JAVA_OPTIONS", " -Xlog:class+load -XX:DumpLoadedClassList=/dev/console ")));
    }

    /** A quote would end the kernel's quoted value early; the rest would become arguments of their own. */
    @Test
    void aQuoteOrAControlCharacterIsRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> Placement.kernelArgs(IMAGE, Map.of("SKIFF_GUEST_JAVA_OPTIONS", "-Da=\" panic=0")));
        assertThrows(IllegalArgumentException.class,
                () -> Placement.kernelArgs(IMAGE, Map.of("SKIFF_GUEST_JAVA_OPTIONS", "-Da=b\nc")));
    }
}
