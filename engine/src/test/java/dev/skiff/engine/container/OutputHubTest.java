package dev.skiff.engine.container;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutputHubTest {
    private static Frame frame(int bytes) {
        return new Frame(dev.skiff.engine.api.Backend.StreamType.STDOUT, 0, new byte[bytes]);
    }

    @Test
    void aClientThatStopsReadingIsDroppedAtTheLimitAndTheOthersGoOn() throws Exception {
        OutputHub hub = new OutputHub(null);
        hub.begin();
        BlockingQueue<Frame> stalled = hub.subscribe(-2, true);
        BlockingQueue<Frame> reading = hub.subscribe(-2, true);
        int chunk = 32 * 1024;
        long frames = OutputHub.BEHIND_LIMIT / chunk + 10;
        for (long i = 0; i < frames; i++) {
            hub.publish(frame(chunk));
            assertEquals(chunk, reading.poll(1, TimeUnit.SECONDS).data().length, "a reading client gets every frame");
        }
        assertSame(Frame.END, stalled.poll(), "the stalled client's stream ends at once");
        assertEquals(0, stalled.size(), "and its frames are let go");
        hub.publish(frame(1));
        assertEquals(1, reading.poll(1, TimeUnit.SECONDS).data().length);
        hub.end();
        assertSame(Frame.END, reading.poll(1, TimeUnit.SECONDS));
    }

    @Test
    void aClientJustBehindTheLimitKeepsEverything() throws Exception {
        OutputHub hub = new OutputHub(null);
        hub.begin();
        BlockingQueue<Frame> slow = hub.subscribe(-2, true);
        int chunk = 64 * 1024;
        long frames = OutputHub.BEHIND_LIMIT / chunk;
        for (long i = 0; i < frames; i++) {
            hub.publish(frame(chunk));
        }
        assertEquals(frames, slow.size());
        for (long i = 0; i < frames; i++) {
            slow.take();
        }
        hub.publish(frame(chunk)); // room again once it has read
        assertEquals(chunk, slow.poll(1, TimeUnit.SECONDS).data().length);
        assertTrue(slow.isEmpty());
    }
}
