package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostToolsTest {
    @TempDir
    Path tmp;

    private Path tool(String dir, String name, String perms) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(dir));
        Path p = Files.writeString(d.resolve(name), "#!/bin/sh\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        return p;
    }

    private String dir(String name) {
        return tmp.resolve(name).toString();
    }

    @Test
    void aToolOutsidePathIsFoundInTheSystemFolders() throws IOException {
        // a user's PATH on Debian: no sbin; mkfs.ext4 lives in /sbin
        Path mkfs = tool("sbin", "mkfs.ext4", "rwxr-xr-x");
        Files.createDirectories(tmp.resolve("usr-bin"));
        assertEquals(Optional.of(mkfs), HostTools.find("mkfs.ext4", dir("usr-bin"), List.of(dir("sbin"))));
    }

    @Test
    void pathComesFirstThenTheSystemFoldersInOrder() throws IOException {
        Path mine = tool("mine", "qemu-img", "rwxr-xr-x");
        tool("usr-sbin", "qemu-img", "rwxr-xr-x");
        Path sbin = tool("sbin", "debugfs", "rwxr-xr-x");
        tool("bin", "debugfs", "rwxr-xr-x");
        List<String> system = List.of(dir("usr-sbin"), dir("sbin"), dir("bin"));
        assertEquals(Optional.of(mine), HostTools.find("qemu-img", "/nonexistent:" + dir("mine"), system));
        assertEquals(Optional.of(sbin), HostTools.find("debugfs", dir("mine"), system));
    }

    @Test
    void notExecutableFoldersAndRelativeEntriesAreSkipped() throws IOException {
        tool("a", "cpio", "rw-r--r--");
        Files.createDirectories(tmp.resolve("b/cpio"));
        Path c = tool("c", "cpio", "rwxr-xr-x");
        assertEquals(Optional.of(c), HostTools.find("cpio", dir("a") + "::.:b:" + dir("b"), List.of(dir("c"))));
        assertEquals(Optional.empty(), HostTools.find("cpio", dir("a"), List.of(dir("b"))));
        assertEquals(Optional.of(c), HostTools.find("cpio", null, List.of(dir("c"))));
    }

    @Test
    void theSystemFoldersAreTheUsualOnes() {
        assertEquals(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"), HostTools.SYSTEM_DIRS);
        // /bin/sh is on every host this runs on, whatever PATH says
        assertTrue(HostTools.find("sh", "", HostTools.SYSTEM_DIRS).isPresent());
    }

    @Test
    void aMissingToolNamesTheFoldersAndTheDebianPackage() {
        IOException e = assertThrows(IOException.class, () -> HostTools.require("skiff-no-such-tool", "skiff-pkg"));
        assertTrue(e.getMessage().contains("skiff-no-such-tool is not installed"), e.getMessage());
        assertTrue(e.getMessage().contains("/usr/sbin, /sbin, /usr/bin, /bin"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install -y skiff-pkg"), e.getMessage());
    }

    @Test
    void aPathIsNotAName() {
        assertThrows(IllegalArgumentException.class, () -> HostTools.find("/sbin/mkfs.ext4"));
    }
}
