package dev.skiff.erofs.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class WhiteoutTest {
    @Test
    void classifies() {
        assertNull(Whiteout.of("file"));
        assertNull(Whiteout.of("x.wh.y"));
        assertEquals(new Whiteout.Hide("gone"), Whiteout.of(".wh.gone"));
        assertInstanceOf(Whiteout.Opaque.class, Whiteout.of(".wh..wh..opq"));
        assertInstanceOf(Whiteout.Meta.class, Whiteout.of(".wh..wh.plnk"));
        assertEquals(new Whiteout.Hide(""), Whiteout.of(".wh."));
    }
}
