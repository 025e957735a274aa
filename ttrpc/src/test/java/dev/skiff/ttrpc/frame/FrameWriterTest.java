package dev.skiff.ttrpc.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameWriterTest {
    @Test
    void refusesOversizedFramesAndWritesNothing() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(out);
        OversizedFrameException e = assertThrows(OversizedFrameException.class,
                () -> w.write(new DataFrame(3, 0, new byte[FrameHeader.MAX_DATA_LENGTH + 1])));
        assertEquals(3, e.streamId());
        assertEquals(0, out.size());
    }

    @Test
    void concurrentWritersNeverInterleaveFrames() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(out);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int stream = 2 * t + 1;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 100; i++) {
                    byte[] payload = new byte[1000 + i];
                    java.util.Arrays.fill(payload, (byte) stream);
                    try {
                        w.write(new DataFrame(stream, 0, payload));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        FrameReader r = new FrameReader(new ByteArrayInputStream(out.toByteArray()));
        Map<Integer, Integer> next = new HashMap<>();
        for (int n = 0; n < 800; n++) {
            Frame f = r.read();
            int i = next.merge(f.streamId(), 1, Integer::sum) - 1;
            assertEquals(1000 + i, f.payload().length, "frames of one writer stay in order");
            for (byte b : f.payload()) {
                assertEquals(f.streamId(), b);
            }
        }
        assertNull(r.read());
    }
}
