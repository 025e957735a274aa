package dev.skiff.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class FrameTest {

    @Test
    void stringsAreNulTerminatedUtf8AndStructsZeroed() {
        try (Frame f = Frame.open()) {
            MemorySegment s = f.str("dé");
            assertEquals(4, s.byteSize());
            assertEquals("dé", s.getString(0));
            MemorySegment st = f.alloc(24, 8);
            assertEquals(0, st.address() % 8);
            st.set(ValueLayout.JAVA_LONG, 0, -1L);
        }
        try (Frame f = Frame.open()) {
            f.str("dé");
            assertEquals(0L, f.alloc(24, 8).get(ValueLayout.JAVA_LONG, 0), "a reused frame hands out zeroed structs");
        }
    }

    @Test
    void whatDoesNotFitComesFromAnOverflowArena() {
        String big = "x".repeat(Frame.SIZE + 10);
        try (Frame f = Frame.open()) {
            assertEquals(big, f.str(big).getString(0));
            assertEquals(big, f.str(big).getString(0));
        }
    }

    @Test
    void aPlatformThreadReusesItsFrameAndANestedCallGetsAnother() {
        Frame first;
        try (Frame f = Frame.open()) {
            first = f;
            try (Frame nested = Frame.open()) {
                assertEquals(false, nested == f);
            }
        }
        try (Frame again = Frame.open()) {
            assertSame(first, again);
        }
    }

    @Test
    void virtualThreadsMakeCallsThroughThePool() throws Exception {
        Thread t = Thread.ofVirtual().start(() -> {
            try (Frame f = Frame.open()) {
                assertEquals("/", f.str("/").getString(0));
            }
        });
        t.join();
        assertEquals(Fds.AT_FDCWD, -100);
    }
}
