package dev.skiff.erofs.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.skiff.erofs.LayerException;
import java.util.List;
import org.junit.jupiter.api.Test;

class EntryPathTest {
    static List<String> p(String s) throws LayerException {
        return EntryPath.parse(s, s, "name");
    }

    @Test
    void normalises() throws LayerException {
        assertEquals(List.of("a", "b"), p("./a//b/"));
        assertEquals(List.of("a", "b"), p("a/./b"));
        assertEquals(List.of(), p("./"));
        assertEquals(List.of(), p("."));
        assertEquals(List.of("..a", "b..", "..."), p("..a/b../..."));
    }

    @Test
    void refusesEscapes() {
        for (String bad : List.of("../x", "a/../../x", "a/..", "/etc/passwd", "", "a\0b", "x/" + "n".repeat(256))) {
            assertThrows(LayerException.class, () -> p(bad), bad);
        }
    }
}
