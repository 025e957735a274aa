package dev.skiff.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A new volume filled from the image: the layers' content at one path, whiteouts applied, nothing outside. */
class PathCopyTest {
    @TempDir
    Path dir;

    private record Entry(String name, String content, char type, String link, int uid, int mode) {
        static Entry file(String name, String content) {
            return new Entry(name, content, '0', null, 0, 0644);
        }

        static Entry dir(String name, int uid, int mode) {
            return new Entry(name, null, '5', null, uid, mode);
        }

        static Entry symlink(String name, String target) {
            return new Entry(name, null, '2', target, 0, 0777);
        }
    }

    private Path layer(String file, Entry... entries) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            for (Entry e : entries) {
                TarArchiveEntry te = switch (e.type()) {
                    case '5' -> new TarArchiveEntry(e.name() + "/", TarArchiveEntry.LF_DIR);
                    case '2' -> {
                        TarArchiveEntry s = new TarArchiveEntry(e.name(), TarArchiveEntry.LF_SYMLINK);
                        s.setLinkName(e.link());
                        yield s;
                    }
                    default -> new TarArchiveEntry(e.name());
                };
                te.setUserId(e.uid());
                te.setGroupId(e.uid());
                te.setMode(e.mode());
                byte[] b = e.content() == null ? new byte[0] : e.content().getBytes(StandardCharsets.UTF_8);
                te.setSize(b.length);
                t.putArchiveEntry(te);
                t.write(b);
                t.closeArchiveEntry();
            }
        }
        Path p = dir.resolve(file);
        Files.write(p, out.toByteArray());
        return p;
    }

    @Test
    void theImagesContentAtThePathWithWhiteoutsOwnersAndModes() throws Exception {
        Path target = Files.createDirectories(dir.resolve("vol"));
        PathCopy copy = new PathCopy("/var/lib/db", target);
        copy.apply(layer("l1.tar", Entry.dir("var/lib/db", 999, 0700), Entry.file("var/lib/db/conf", "a=1\n"),
                Entry.file("var/lib/db/old", "gone soon"), Entry.dir("var/lib/db/sub", 999, 0755),
                Entry.file("var/lib/db/sub/x", "x"), Entry.file("var/lib/other", "not copied")));
        copy.apply(layer("l2.tar", Entry.file("var/lib/db/.wh.old", ""), Entry.dir("var/lib/db/sub", 999, 0755),
                Entry.file("var/lib/db/sub/.wh..wh..opq", ""), Entry.file("var/lib/db/sub/y", "y")));
        assertEquals("a=1\n", Files.readString(target.resolve("conf")));
        assertFalse(Files.exists(target.resolve("old")), "a whiteout removes what a lower layer had");
        assertFalse(Files.exists(target.resolve("sub/x")), "an opaque directory hides the lower layers' content");
        assertEquals("y", Files.readString(target.resolve("sub/y")));
        assertFalse(Files.exists(target.resolve("other")));
        assertEquals(999, Files.getAttribute(target, "unix:uid"), "the mount point takes the image's owner");
        assertEquals(0700, (int) Files.getAttribute(target, "unix:mode") & 07777);
    }

    @Test
    void nothingIsWrittenThroughASymlinkOrOutsideTheTarget() throws Exception {
        Path target = Files.createDirectories(dir.resolve("vol"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        PathCopy copy = new PathCopy("/data", target);
        copy.apply(layer("l1.tar", Entry.dir("data", 0, 0755), Entry.symlink("data/escape", outside.toString())));
        copy.apply(layer("l2.tar", Entry.file("data/escape/owned", "pwned"), Entry.file("data/../data/x", "dots"),
                Entry.file("data/ok", "ok")));
        assertEquals(List.of(), Files.list(outside).toList(), "no write follows a symlink out of the volume");
        assertTrue(Files.isSymbolicLink(target.resolve("escape")));
        assertFalse(Files.exists(target.resolve("x"), LinkOption.NOFOLLOW_LINKS), "names with .. are skipped");
        assertEquals("ok", Files.readString(target.resolve("ok")));
    }
}
