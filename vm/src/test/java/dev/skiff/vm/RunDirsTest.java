package dev.skiff.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDirsTest {
    @TempDir
    Path tmp;

    private static final String ME = System.getProperty("user.name");

    @Test
    void aRunFolderInTheSharedTmpIsPrivate() throws Exception {
        Path base = tmp.resolve("skiff-" + ME);
        assertEquals(base, RunDirs.create(base, true, ME));
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(base));
        // made before with loose permissions: tightened
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        RunDirs.create(base, true, ME);
        assertEquals(PosixFilePermissions.fromString("rwx------"), Files.getPosixFilePermissions(base));
    }

    @Test
    void aRunFolderAnotherUserMadeIsRefused() throws Exception {
        Path base = Files.createDirectory(tmp.resolve("skiff-victim"));
        VmException e = assertThrows(VmException.class, () -> RunDirs.create(base, true, "skiff-no-such-user"));
        assertTrue(e.getMessage().contains("owned by " + ME + ", not by skiff-no-such-user"), e.getMessage());
        Path link = Files.createSymbolicLink(tmp.resolve("skiff-link"), base);
        e = assertThrows(VmException.class, () -> RunDirs.create(link, true, ME));
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
    }

    @Test
    void elsewhereTheFolderIsJustMade() throws Exception {
        Path base = tmp.resolve("run/skiff");
        assertEquals(base, RunDirs.create(base, false, ME));
        assertTrue(Files.isDirectory(base));
    }
}
