package dev.skiff.agent.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.agent.api.GoFileMode;
import dev.skiff.agent.api.PathStat;
import dev.skiff.sys.Errno;
import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.OpenFlags;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest's docker cp on a plain folder standing in for a container's root (no VM needed): the
 * tar of a path (names, types, symlinks as links, hard links, the stat with Go FileMode bits and a
 * link target resolved in the root), and extraction (owners with and without copyUidGid,
 * noOverwriteDirNonDir, and every escape: "..", symlinks and hard links pointing out, a symlink
 * already in the destination), with nothing written outside. Runs as root (chown).
 */
class ArchiveTest {
    @TempDir
    Path tmp;
    Path root;
    Path outside;
    int rootFd = -1;

    @BeforeEach
    void setUp() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(tmp.resolve("secret"), "outside the root\n");
        rootFd = Fds.openat2(Fds.AT_FDCWD, root.toString(), OpenFlags.O_PATH | OpenFlags.O_DIRECTORY, 0, 0);
    }

    @AfterEach
    void tearDown() {
        Fds.closeQuietly(rootFd);
    }

    private static List<TarEntry> entries(byte[] tar, Map<String, String> contents) throws IOException {
        TarInput in = new TarInput(new ByteArrayInputStream(tar));
        List<TarEntry> out = new ArrayList<>();
        TarEntry e;
        while ((e = in.next()) != null) {
            out.add(e);
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            byte[] b = new byte[4096];
            int n;
            while ((n = in.read(b, 0, b.length)) > 0) {
                data.write(b, 0, n);
            }
            contents.put(e.name(), data.toString(StandardCharsets.UTF_8));
        }
        return out;
    }

    private byte[] tarOf(String path) throws IOException {
        try (Tarball t = Tarball.open(rootFd, path)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            t.writeTo(out);
            return out.toByteArray();
        }
    }

    private byte[] tar(TarEntry... entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarOutput t = new TarOutput(out);
        for (TarEntry e : entries) {
            t.header(e);
            byte[] data = ("data of " + e.name()).getBytes(StandardCharsets.UTF_8);
            if (e.size() > 0) {
                t.write(data, 0, (int) e.size());
            }
        }
        t.finish();
        return out.toByteArray();
    }

    private static TarEntry file(String name, int uid) {
        return new TarEntry(name, TarEntry.REG, 0640, uid, uid + 1, ("data of " + name).length(), 1_600_000_000L, 0, -1,
                0, "", 0, 0);
    }

    private static TarEntry dir(String name) {
        return new TarEntry(name, TarEntry.DIR, 0750, 0, 0, 0, 1_600_000_000L, 0, -1, 0, "", 0, 0);
    }

    private static TarEntry symlink(String name, String target) {
        return new TarEntry(name, TarEntry.SYMLINK, 0777, 0, 0, 0, 1_600_000_000L, 0, -1, 0, target, 0, 0);
    }

    private static TarEntry hardlink(String name, String target) {
        return new TarEntry(name, TarEntry.LINK, 0644, 0, 0, 0, 1_600_000_000L, 0, -1, 0, target, 0, 0);
    }

    private void extract(String dest, byte[] tar, boolean noOverwrite, boolean copyIds) throws IOException {
        int fd = InRoot.openDir(rootFd, dest);
        try {
            new Extractor(fd, dest, noOverwrite, copyIds).extract(new ByteArrayInputStream(tar));
        } finally {
            Fds.closeQuietly(fd);
        }
    }

    private void assertNothingOutside() throws IOException {
        try (var s = Files.list(outside)) {
            assertEquals(0, s.count(), "nothing may be written outside the root");
        }
        assertEquals("outside the root\n", Files.readString(tmp.resolve("secret")));
        try (var s = Files.list(tmp)) {
            assertEquals(3, s.count(), "only root, outside and secret beside the root");
        }
    }

    @Test
    void aDirectoryIsArchivedRecursivelyUnderItsOwnName() throws Exception {
        Path tree = Files.createDirectories(root.resolve("srv/tree"));
        Files.createDirectories(tree.resolve("sub"));
        Files.writeString(tree.resolve("a.txt"), "A");
        Files.writeString(tree.resolve("sub/b.txt"), "BB");
        Files.createSymbolicLink(tree.resolve("link"), Path.of("/etc/passwd"));
        Files.createLink(tree.resolve("hard"), tree.resolve("a.txt"));
        Map<String, String> contents = new LinkedHashMap<>();
        List<TarEntry> entries = entries(tarOf("/srv/tree"), contents);
        assertEquals(List.of("tree/", "tree/a.txt", "tree/hard", "tree/link", "tree/sub/", "tree/sub/b.txt"),
                entries.stream().map(TarEntry::name).toList());
        assertEquals("A", contents.get("tree/a.txt"));
        assertEquals("BB", contents.get("tree/sub/b.txt"));
        assertEquals(TarEntry.LINK, entries.get(2).type());
        assertEquals("tree/a.txt", entries.get(2).linkname());
        assertEquals(TarEntry.SYMLINK, entries.get(3).type());
        assertEquals("/etc/passwd", entries.get(3).linkname());

        assertEquals(List.of("./", "./a.txt", "./hard", "./link", "./sub/", "./sub/b.txt"),
                entries(tarOf("/srv/tree/."), new LinkedHashMap<>()).stream().map(TarEntry::name).toList());
        List<TarEntry> one = entries(tarOf("srv/tree/sub/b.txt"), contents);
        assertEquals(1, one.size());
        assertEquals("b.txt", one.getFirst().name());
    }

    @Test
    void aSymlinkIsItselfUnlessTheTrailingSlashFollowsIt() throws Exception {
        Files.createDirectories(root.resolve("real"));
        Files.writeString(root.resolve("real/x"), "x");
        Files.createSymbolicLink(root.resolve("alias"), Path.of("../../../real"));
        try (Tarball t = Tarball.open(rootFd, "/alias")) {
            PathStat s = t.stat();
            assertEquals("alias", s.getName());
            assertEquals(GoFileMode.SYMLINK | 0777, s.getMode());
            assertEquals("/real", s.getLinkTarget(), "resolved inside the root: '..' stops there");
        }
        assertEquals(List.of("alias"), entries(tarOf("/alias"), new LinkedHashMap<>()).stream().map(TarEntry::name).toList());
        assertEquals(List.of("alias/", "alias/x"),
                entries(tarOf("/alias/"), new LinkedHashMap<>()).stream().map(TarEntry::name).toList());
        try (Tarball t = Tarball.open(rootFd, "/alias/")) {
            assertTrue(GoFileMode.isDir(t.stat().getMode()));
        }
    }

    @Test
    void pathsCannotLeaveTheRoot() throws Exception {
        Files.createSymbolicLink(root.resolve("up"), Path.of("../"));
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/"));
        ErrnoException e = assertThrows(ErrnoException.class, () -> Tarball.open(rootFd, "/up/secret"));
        assertEquals(Errno.ENOENT, e.errno());
        assertThrows(ErrnoException.class, () -> Tarball.open(rootFd, "/../secret"));
        assertThrows(ErrnoException.class, () -> Tarball.open(rootFd, "/abs/../../secret"));
        Files.writeString(root.resolve("secret"), "inside");
        Map<String, String> contents = new LinkedHashMap<>();
        entries(tarOf("/up/secret"), contents);
        assertEquals("inside", contents.get("secret"), "'up' leads to the root itself");
    }

    @Test
    void ownersAreRootsUnlessCopyUidGid() throws Exception {
        Files.createDirectories(root.resolve("dst"));
        extract("/dst", tar(dir("d/"), file("d/f", 1234), symlink("d/l", "f")), false, false);
        assertEquals(0, (int) Files.getAttribute(root.resolve("dst/d/f"), "unix:uid"));
        assertEquals("data of d/f", Files.readString(root.resolve("dst/d/f")));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("dst/d/f"))));
        assertEquals(Path.of("f"), Files.readSymbolicLink(root.resolve("dst/d/l")));
        assertEquals(1_600_000_000_000L, Files.getLastModifiedTime(root.resolve("dst/d")).toMillis(),
                "directory times are set after their contents");

        extract("/dst", tar(file("g", 1234)), false, true);
        assertEquals(1234, (int) Files.getAttribute(root.resolve("dst/g"), "unix:uid"));
        assertEquals(1235, (int) Files.getAttribute(root.resolve("dst/g"), "unix:gid"));
    }

    @Test
    void noOverwriteDirNonDirRefusesBothWays() throws Exception {
        Files.createDirectories(root.resolve("dst/d"));
        Files.writeString(root.resolve("dst/f"), "old");
        assertThrows(Extractor.Refused.class, () -> extract("/dst", tar(file("d", 0)), true, false));
        assertTrue(Files.isDirectory(root.resolve("dst/d")));
        assertThrows(Extractor.Refused.class, () -> extract("/dst", tar(dir("f/")), true, false));
        assertEquals("old", Files.readString(root.resolve("dst/f")));

        extract("/dst", tar(file("d", 0), dir("f/")), false, false);
        assertTrue(Files.isRegularFile(root.resolve("dst/d")), "without the option a directory is replaced");
        assertTrue(Files.isDirectory(root.resolve("dst/f")));
    }

    @Test
    void escapesAreRefusedAndNothingIsWrittenOutside() throws Exception {
        Files.createDirectories(root.resolve("dst"));
        assertThrows(Extractor.Refused.class, () -> extract("/dst", tar(file("../../outside/evil", 0)), false, false));
        assertThrows(Extractor.Refused.class, () -> extract("/dst", tar(file("a/../../evil", 0)), false, false));
        assertThrows(Extractor.Refused.class, () -> extract("/dst", tar(symlink("l", "../../../outside")), false, false));
        assertThrows(Extractor.Refused.class, () -> extract("/dst", tar(hardlink("h", "../../secret")), false, false));
        assertFalse(Files.exists(root.resolve("evil")));

        // Symlinks already there (as a container could plant them) lead back into the destination.
        Files.createSymbolicLink(root.resolve("dst/abs"), Path.of("/"));
        Files.createSymbolicLink(root.resolve("dst/rel"), Path.of("../../../.."));
        extract("/dst", tar(file("abs/one", 0), file("rel/two", 0), file("/three", 0)), false, false);
        assertTrue(Files.isRegularFile(root.resolve("dst/one")));
        assertTrue(Files.isRegularFile(root.resolve("dst/two")));
        assertTrue(Files.isRegularFile(root.resolve("dst/three")), "absolute names are relative to the destination");
        assertTrue(Files.isSymbolicLink(root.resolve("dst/abs")));
        assertNothingOutside();
    }

    @Test
    void theDestinationIsResolvedInsideTheRoot() throws Exception {
        Files.createSymbolicLink(root.resolve("escape"), Path.of("../outside"));
        ErrnoException missing = assertThrows(ErrnoException.class, () -> extract("/escape", tar(file("x", 0)), false, false));
        assertEquals(Errno.ENOENT, missing.errno(), "'../outside' from the root is the root's 'outside'");
        Files.createDirectories(root.resolve("outside"));
        extract("/escape", tar(file("x", 0)), false, false);
        assertTrue(Files.isRegularFile(root.resolve("outside/x")));
        assertNothingOutside();
        Files.writeString(root.resolve("plain"), "file");
        ErrnoException e = assertThrows(ErrnoException.class, () -> InRoot.openDir(rootFd, "/plain"));
        assertEquals(Errno.ENOTDIR, e.errno());
    }

    @Test
    void longNamesGoThroughPaxAndGnuTarsAreRead() throws Exception {
        String longName = "d/" + "n".repeat(150) + "/" + "é".repeat(120);
        Files.createDirectories(root.resolve("dst"));
        extract("/dst", tar(file(longName, 0)), false, false);
        assertTrue(Files.isRegularFile(root.resolve("dst").resolve(longName)));

        Path src = Files.createDirectories(tmp.resolve("gnu/" + "g".repeat(120)));
        Files.writeString(src.resolve("file"), "gnu");
        Process p = new ProcessBuilder("tar", "-c", "--format=gnu", "-C", tmp.resolve("gnu").toString(), ".").start();
        byte[] gnu = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor());
        extract("/dst", gnu, false, false);
        assertEquals("gnu", Files.readString(root.resolve("dst/" + "g".repeat(120) + "/file")));
        Files.delete(src.resolve("file"));
        Files.delete(src);
        Files.delete(tmp.resolve("gnu"));
    }

    @Test
    void aTarOfOurOwnExtractsToTheSameTree() throws Exception {
        Path tree = Files.createDirectories(root.resolve("a/tree"));
        Files.createDirectories(tree.resolve("deep"));
        byte[] big = new byte[300_000];
        new java.util.Random(3).nextBytes(big);
        Files.write(tree.resolve("deep/big"), big);
        Files.createSymbolicLink(tree.resolve("s"), Path.of("deep/big"));
        Files.createDirectories(root.resolve("b"));
        extract("/b", tarOf("/a/tree"), false, true);
        assertArrayEquals(big, Files.readAllBytes(root.resolve("b/tree/deep/big")));
        assertEquals(Path.of("deep/big"), Files.readSymbolicLink(root.resolve("b/tree/s")));
        assertTrue(Files.isSymbolicLink(root.resolve("b/tree/s")));
        assertFalse(Files.isSymbolicLink(root.resolve("b/tree/deep")));
    }
}
