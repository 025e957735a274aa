package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thread's fsuid is its own, and with its permitted capabilities raised again it may still write
 * where only root may: what the guest agent's replay thread relies on. Needs root (CI runs as root).
 */
class FsIdentityTest {
    @TempDir Path tmp;

    /** Runs {@code work} on a new platform thread; its failure, if any. */
    private static Throwable onThread(ThrowingRunnable work) throws Exception {
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                work.run();
                done.complete(null);
            } catch (Throwable t) {
                done.complete(t);
            }
        }).join();
        return done.get();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aThreadsFsuidOwnsWhatItMakesAndItsRaisedCapabilitiesStillOpenRootsFolders() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "setfsuid to another uid needs root");
        Path rootOnly = Files.createDirectory(tmp.resolve("root-only"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));

        Throwable dropped = onThread(() -> {
            FsIdentity.setFsuid(4242);
            Files.createFile(rootOnly.resolve("refused"));
        });
        assertInstanceOf(AccessDeniedException.class, dropped, "a new fsuid drops CAP_DAC_OVERRIDE");

        Throwable raised = onThread(() -> {
            FsIdentity.setFsuid(4242);
            FsIdentity.raisePermittedCapabilities();
            Files.createFile(rootOnly.resolve("made"));
        });
        assertEquals(null, raised);
        assertEquals(4242, Files.getAttribute(rootOnly.resolve("made"), "unix:uid"), "made as the thread's fsuid");

        Files.createFile(rootOnly.resolve("mine"));
        assertEquals(0, Files.getAttribute(rootOnly.resolve("mine"), "unix:uid"), "other threads keep theirs");
    }
}
