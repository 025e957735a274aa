package dev.skiff.virtiofs.server;

import static dev.skiff.virtiofs.server.FuseClient.cat;
import static dev.skiff.virtiofs.server.FuseClient.le;
import static dev.skiff.virtiofs.server.FuseClient.name;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.p9.fs.passthrough.Passthrough;
import dev.skiff.sys.Errno;
import dev.skiff.sys.OpenFlags;
import dev.skiff.virtiofs.wire.Fuse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A read-only export: every changing request is EROFS before the backend is asked; reading works; the folder is untouched. */
class ReadOnlyExportTest {
    @TempDir Path dir;

    @Test
    void everyChangeIsErofs() throws IOException {
        Files.writeString(dir.resolve("f"), "content");
        Files.createDirectory(dir.resolve("d"));
        Files.setLastModifiedTime(dir.resolve("f"), FileTime.fromMillis(1_000_000));
        String before = snapshot();
        try (Passthrough fs = new Passthrough(dir);
                FuseClient c = new FuseClient(new FuseSession(fs, true, CachePolicy.COHERENT, FuseLimits.DEFAULT))) {
            c.init().ok();
            long f = FuseClient.entry(c.lookup(Fuse.ROOT_ID, "f")).nodeid();
            long ro = c.open(f, OpenFlags.O_RDONLY);
            assertArrayEquals("content".getBytes(StandardCharsets.UTF_8), c.read(ro, 0, 100).ok().bytes());

            List<FuseClient.Reply> changes = List.of(
                    c.call(Fuse.OPEN, f, le(8).putInt(OpenFlags.O_WRONLY).array()),
                    c.call(Fuse.OPEN, f, le(8).putInt(OpenFlags.O_RDWR).array()),
                    c.call(Fuse.OPEN, f, le(8).putInt(OpenFlags.O_RDONLY | OpenFlags.O_TRUNC).array()),
                    c.call(Fuse.OPEN, f, le(8).putInt(OpenFlags.O_RDONLY | OpenFlags.O_APPEND).array()),
                    c.call(Fuse.CREATE, 1, cat(le(16).putInt(OpenFlags.O_CREAT | OpenFlags.O_RDONLY).putInt(0100644).array(), name("new"))),
                    c.write(ro, 0, "x".getBytes(StandardCharsets.UTF_8)),
                    c.setattr(f, Fuse.FATTR_SIZE, 0, 0, 0, 0, 0),
                    c.setattr(f, Fuse.FATTR_MODE, 0, 0, 0, 0, 0100777),
                    c.setattr(f, Fuse.FATTR_MTIME | Fuse.FATTR_MTIME_NOW, 0, 0, 0, 0, 0),
                    c.mkdir(1, "new", 0755),
                    c.call(Fuse.MKNOD, 1, cat(le(16).putInt(0010644).array(), name("new"))),
                    c.call(Fuse.SYMLINK, 1, cat(name("new"), name("f"))),
                    c.call(Fuse.LINK, 1, cat(le(8).putLong(f).array(), name("new"))),
                    c.call(Fuse.UNLINK, 1, name("f")),
                    c.call(Fuse.RMDIR, 1, name("d")),
                    c.call(Fuse.RENAME, 1, cat(le(8).putLong(1).array(), name("f"), name("g"))),
                    c.call(Fuse.SETXATTR, f, cat(le(8).putInt(1).putInt(0).array(), name("user.x"), new byte[] {1})),
                    c.call(Fuse.REMOVEXATTR, f, name("user.x")));
            for (int i = 0; i < changes.size(); i++) {
                assertEquals(-Errno.EROFS, changes.get(i).error(), "change #" + i);
            }
            c.release(ro, false).ok();
        }
        assertEquals(before, snapshot(), "the host folder is untouched");
    }

    private String snapshot() throws IOException {
        StringBuilder s = new StringBuilder();
        try (var w = Files.walk(dir)) {
            for (Path p : w.sorted().toList()) {
                s.append(dir.relativize(p)).append(' ').append(Files.getPosixFilePermissions(p))
                        .append(' ').append(Files.getLastModifiedTime(p)).append(' ')
                        .append(Files.isRegularFile(p) ? Files.readString(p) : "").append('\n');
            }
        }
        return s.toString();
    }
}
