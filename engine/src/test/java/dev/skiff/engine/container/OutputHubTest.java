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

    @Test
    void aHubCountsItsRunsBytesAndOneResumedAfterARestartCountsWhatTheLogHas(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        OutputHub old = new OutputHub(new LogFile(dir.resolve("container.log")));
        old.begin();
        old.publish(frame(3));
        old.publish(new Frame(dev.skiff.engine.api.Backend.StreamType.STDERR, 0, new byte[2]));
        assertEquals(3, old.received(dev.skiff.engine.api.Backend.StreamType.STDOUT));
        old.begin();
        old.publish(frame(5));
        assertEquals(5, old.received(dev.skiff.engine.api.Backend.StreamType.STDOUT), "a new run counts from 0");
        assertEquals(0, old.received(dev.skiff.engine.api.Backend.StreamType.STDERR));

        OutputHub next = new OutputHub(new LogFile(dir.resolve("container.log"))); // the next daemon's
        next.resume();
        assertEquals(5, next.received(dev.skiff.engine.api.Backend.StreamType.STDOUT), "where the agent is asked to go on");
        next.publish(frame(1));
        assertEquals(6, next.received(dev.skiff.engine.api.Backend.StreamType.STDOUT));
        assertEquals(5, next.subscribe(-1, false).size(), "four frames and the end: the run marks are not output");
    }
}
