package dev.skiff.erofs.write;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.erofs.ErofsTools;
import dev.skiff.erofs.ImageInspector;
import dev.skiff.erofs.format.FileType;
import dev.skiff.erofs.tree.Inode;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer API below the tar layer: what tars cannot carry (sockets) and an empty image. */
class ErofsWriterTest {
    @TempDir
    Path tmp;

    @Test
    void socketsAndEmptyImages() throws Exception {
        Path img = tmp.resolve("sock.erofs");
        try (ErofsWriter w = ErofsWriter.create(img)) {
            w.tree().put(List.of("run", "sock"), Inode.special(FileType.SOCKET).attributes(0755, 1, 2, 3, 0), "s");
            ErofsWriter.Image image = w.finish(new UUID(1, 2));
            assertEquals(3, image.inodes());
        }
        ErofsTools.fsck(img);
        long nid = ErofsTools.ls(img, "/run").get("sock")[0];
        assertEquals(0140755, ImageInspector.inode(img, nid).mode());
        assertEquals(6, ErofsTools.ls(img, "/run").get("sock")[1]);

        Path empty = tmp.resolve("empty.erofs");
        try (ErofsWriter w = ErofsWriter.create(empty)) {
            assertEquals(8192, w.finish(new UUID(0, 0)).bytes());
        }
        ErofsTools.fsck(empty);
    }
}
