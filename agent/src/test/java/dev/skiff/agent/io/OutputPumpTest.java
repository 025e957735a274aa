package dev.skiff.agent.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The pump's buffer, filled by hand (no fd, no thread): what a host that lost its connection
 * gets when it asks again from the offset it wrote down.
 */
class OutputPumpTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(OutputPump.Chunk c) {
        return new String(c.data(), StandardCharsets.US_ASCII);
    }

    @Test
    void aHostAskingAgainFromWhatItHasGetsTheBytesSentSinceOnceAndNoneBefore() throws Exception {
        OutputPump pump = new OutputPump("t", -1);
        // the old host was sent three lines, one by one, and died having written down only "0\n"
        long at = 0;
        for (String expected : new String[] {"0\n", "1\n", "2\n"}) {
            pump.hold(bytes(expected));
            OutputPump.Chunk c = pump.next(at);
            assertEquals(expected, text(c));
            at = c.offset() + c.data().length;
        }
        OutputPump.Chunk again = pump.next(2);
        assertEquals(2, again.offset());
        assertEquals("1\n2\n", text(again), "the bytes in flight when the host died are sent again");
        OutputPump.Chunk middle = pump.next(5);
        assertEquals(5, middle.offset());
        assertEquals("\n", text(middle), "from the middle of a chunk: the bytes after the offset only");
        pump.end();
        assertNull(pump.next(6), "then the end");
    }

    @Test
    void sentBytesAreKeptForABoundedWindowThenAReaderFromBeforeItIsToldWhereTheyResume() throws Exception {
        OutputPump pump = new OutputPump("t", -1);
        int chunks = OutputPump.RESENT / OutputPump.CHUNK + 3;
        long at = 0;
        for (int i = 0; i < chunks; i++) {
            pump.hold(new byte[OutputPump.CHUNK]);
            at += pump.next(at).data().length;
        }
        OutputPump.Chunk oldest = pump.next(0);
        assertEquals(at - OutputPump.RESENT, oldest.offset(), "only the last RESENT bytes sent are held");
        long past = at + 1;
        assertThrows(IllegalArgumentException.class, () -> pump.next(past), "an offset past the output");
    }

    @Test
    void whileNoHostReadsThePumpStopsTakingOutputOnceUnsentIsFull() throws Exception {
        OutputPump pump = new OutputPump("t", -1);
        Thread reading = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i <= OutputPump.UNSENT / OutputPump.CHUNK; i++) {
                    pump.hold(new byte[OutputPump.CHUNK]);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reading.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the pump took more than UNSENT bytes with nobody reading: " + reading.getState());
            }
            Thread.sleep(10); // the thread's state is all there is to observe
        }
        assertArrayEquals(new byte[OutputPump.CHUNK], pump.next(0).data());
        reading.join(TimeUnit.SECONDS.toMillis(10));
        assertEquals(Thread.State.TERMINATED, reading.getState(), "a chunk taken lets the pump read on");
    }

    @Test
    void linesHeldWhileNoHostReadsGoOutTogetherAndAChunkNeverSpansTwoSegments() throws Exception {
        OutputPump pump = new OutputPump("t", -1);
        pump.hold(bytes("0\n"));
        assertEquals("0\n", text(pump.next(0)));
        pump.hold(bytes("1\n"));
        pump.hold(bytes("2\n"));
        OutputPump.Chunk together = pump.next(2);
        assertEquals(2, together.offset());
        assertEquals("1\n2\n", text(together), "two reads nobody had taken: one chunk");
        pump.hold(new byte[OutputPump.CHUNK]); // fills the first segment, and 6 bytes into the next
        assertEquals(OutputPump.CHUNK - 6, pump.next(6).data().length);
        OutputPump.Chunk second = pump.next(OutputPump.CHUNK);
        assertEquals(OutputPump.CHUNK, second.offset());
        assertEquals(6, second.data().length);
    }
}
