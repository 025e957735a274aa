package dev.skiff.image.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plain user's cache reuses root's: .debs and their unpacked trees, read where they are. */
class SharedCacheTest {
    @TempDir
    Path tmp;

    @Test
    void aDebInASharedFolderIsUsedWithoutDownloadingIt() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("root-cache/debs"));
        Path deb = Files.writeString(shared.resolve("busybox-static_1%3a1.35.0-4_amd64.deb"), "not really a deb");
        Files.writeString(shared.resolve("busybox-static_1%3a1.35.0-4_amd64.deb.sha256"), "abc123\n");
        Path own = tmp.resolve("user-cache/debs");
        // apt-get download is never run: it would leave nothing here and fail the fetch
        DebianPackage p = new Apt(own, List.of(Files.createDirectories(tmp.resolve("empty")), shared))
                .fetch("busybox-static", "1:1.35.0-4");
        assertEquals(deb, p.file());
        assertEquals("abc123", p.sha256());
        assertEquals(List.of(), Files.list(own).toList(), "nothing is copied into the user's own cache");
    }

    @Test
    void theOwnCacheComesFirst() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("root-cache/debs"));
        Files.writeString(shared.resolve("runc_1.1_amd64.deb"), "root's");
        Path own = Files.createDirectories(tmp.resolve("user-cache/debs"));
        Path mine = Files.writeString(own.resolve("runc_1.1_amd64.deb"), "mine");
        assertEquals(mine, new Apt(own, List.of(shared)).fetch("runc", "1.1").file());
    }

    @Test
    void aTreeUnpackedBesideTheDebIsReturnedAsItIs() throws Exception {
        Path shared = Files.createDirectories(tmp.resolve("root-cache/debs"));
        Path deb = Files.writeString(shared.resolve("runc_1.1_amd64.deb"), "not read: the tree is there");
        Path tree = Files.createDirectories(shared.resolve("runc_1.1_amd64/usr/sbin")).getParent().getParent();
        Files.writeString(tree.resolve(".unpacked"), "abc\n");
        Path own = Files.createDirectories(tmp.resolve("user-cache/debs"));
        assertEquals(tree, DebArchive.unpack(new DebianPackage("runc", "1.1", deb, "abc"), own));
        assertEquals(List.of(), Files.list(own).toList());
    }
}
