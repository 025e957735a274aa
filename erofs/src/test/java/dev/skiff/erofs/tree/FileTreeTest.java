package dev.skiff.erofs.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.erofs.LayerException;
import dev.skiff.erofs.format.FileType;
import java.util.List;
import org.junit.jupiter.api.Test;

class FileTreeTest {
    static Inode file() {
        return Inode.regular(FileData.EMPTY).attributes(0644, 0, 0, 1, 0);
    }

    @Test
    void missingParentsAreCreated() throws LayerException {
        FileTree t = new FileTree();
        t.put(List.of("a", "b", "c"), file(), "a/b/c");
        Inode a = t.lookup(List.of("a"));
        assertEquals(FileType.DIRECTORY, a.type);
        assertEquals(0755, a.permissions);
        assertEquals(false, a.mtimeSet);
        assertSame(t.root(), a.parent);
    }

    @Test
    void lastEntryWinsButDirectoriesMerge() throws LayerException {
        FileTree t = new FileTree();
        t.put(List.of("d"), Inode.directory(0700, 1, 1).attributes(0700, 1, 1, 5, 0), "d");
        t.put(List.of("d", "x"), file(), "d/x");
        Inode again = Inode.directory(0, 0, 0).attributes(0755, 2, 2, 6, 0);
        again.xattrs.put("user.k", new byte[] {1});
        t.put(List.of("d"), again, "d");
        Inode d = t.lookup(List.of("d"));
        assertEquals(0755, d.permissions);
        assertEquals(2, d.uid);
        assertTrue(d.children.containsKey("x"));
        assertTrue(d.xattrs.containsKey("user.k"));
        Inode f = file();
        t.put(List.of("d"), f, "d");
        assertSame(f, t.lookup(List.of("d")));
    }

    @Test
    void hardLinksShareTheInodeUntilReplaced() throws LayerException {
        FileTree t = new FileTree();
        Inode orig = file();
        t.put(List.of("a"), orig, "a");
        t.link(List.of("b"), List.of("a"), "b");
        assertSame(orig, t.lookup(List.of("b")));
        t.put(List.of("a"), file(), "a");
        assertSame(orig, t.lookup(List.of("b")));
    }

    @Test
    void refusals() throws LayerException {
        FileTree t = new FileTree();
        t.put(List.of("f"), file(), "f");
        t.put(List.of("d"), Inode.directory(0755, 0, 0), "d");
        assertThrows(LayerException.class, () -> t.put(List.of("f", "x"), file(), "f/x"));
        assertThrows(LayerException.class, () -> t.link(List.of("l"), List.of("nope"), "l"));
        assertThrows(LayerException.class, () -> t.link(List.of("l"), List.of("d"), "l"));
        assertThrows(LayerException.class, () -> t.put(List.of(), file(), "."));
    }

    @Test
    void opaqueMarksCreateTheDirectory() throws LayerException {
        FileTree t = new FileTree();
        t.markOpaque(List.of("o", "p"), "o/p/.wh..wh..opq");
        assertTrue(t.lookup(List.of("o", "p")).opaque);
    }
}
