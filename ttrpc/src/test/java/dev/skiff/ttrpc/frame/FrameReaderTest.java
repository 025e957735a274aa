package dev.skiff.ttrpc.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameReaderTest {
    private static byte[] bytes(Frame... frames) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(out);
        for (Frame f : frames) {
            w.write(f);
        }
        return out.toByteArray();
    }

    private static byte[] header(long length, int streamId, int type, int flags) {
        byte[] h = new byte[FrameHeader.SIZE];
        new FrameHeader((int) length, streamId, type, flags).encode(h);
        return h;
    }

    /** {@code n} zero bytes, produced on demand: the test itself never holds them in memory. */
    private static InputStream zeros(long n) {
        return new InputStream() {
            long left = n;

            @Override
            public int read() {
                return left-- > 0 ? 0 : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int k = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + k, (byte) 0);
                left -= k;
                return k;
            }
        };
    }

    @Test
    void readsEachFrameKind() throws IOException {
        byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
        FrameReader r = new FrameReader(new ByteArrayInputStream(bytes(
                new RequestFrame(1, Flags.REMOTE_OPEN, hello),
                new DataFrame(1, Flags.REMOTE_CLOSED | Flags.NO_DATA, new byte[0]),
                new ResponseFrame(1, 0, hello))));
        Frame a = r.read();
        assertInstanceOf(RequestFrame.class, a);
        assertEquals(1, a.streamId());
        assertEquals(Flags.REMOTE_OPEN, a.flags());
        assertArrayEquals(hello, a.payload());
        DataFrame d = assertInstanceOf(DataFrame.class, r.read());
        assertTrue(d.hasFlag(Flags.REMOTE_CLOSED));
        assertTrue(d.hasFlag(Flags.NO_DATA));
        assertEquals(0, d.payload().length);
        assertArrayEquals(hello, assertInstanceOf(ResponseFrame.class, r.read()).payload());
        assertNull(r.read(), "clean end of stream between frames");
    }

    @Test
    void oversizedFrameIsSkippedAndTheReaderStaysInSync() throws IOException {
        long big = FrameHeader.MAX_DATA_LENGTH + 1L;
        InputStream in = new SequenceInputStream(java.util.Collections.enumeration(java.util.List.of(
                new ByteArrayInputStream(header(big, 7, MessageType.REQUEST.code(), 0)),
                zeros(big),
                new ByteArrayInputStream(bytes(new RequestFrame(9, 0, new byte[] {42}))))));
        FrameReader r = new FrameReader(in);
        OversizedFrameException e = assertThrows(OversizedFrameException.class, r::read);
        assertEquals(7, e.streamId());
        assertEquals(big, e.length());
        assertTrue(e.getMessage().contains("exceeds maximum message size of 4194304"), e.getMessage());
        Frame next = r.read();
        assertEquals(9, next.streamId());
        assertArrayEquals(new byte[] {42}, next.payload());
    }

    @Test
    void hugeAnnouncedLengthDoesNotAllocate() throws IOException {
        // 4 GiB - 1 announced, then the peer hangs up: a clean error, no attempt to buffer it.
        InputStream in = new SequenceInputStream(new ByteArrayInputStream(header(0xFFFF_FFFFL, 3, 1, 0)), zeros(1000));
        FrameReader r = new FrameReader(in);
        assertThrows(EOFException.class, r::read);
    }

    @Test
    void truncatedFramesAreEofErrors() throws IOException {
        byte[] full = bytes(new RequestFrame(1, 0, new byte[] {1, 2, 3}));
        for (int cut : new int[] {3, FrameHeader.SIZE, full.length - 1}) {
            FrameReader r = new FrameReader(new ByteArrayInputStream(full, 0, cut));
            assertThrows(EOFException.class, r::read, "cut at " + cut);
        }
    }

    @Test
    void unknownMessageTypesAreSkipped() throws IOException {
        byte[] unknown = new byte[FrameHeader.SIZE + 2];
        new FrameHeader(2, 5, 0x7f, 0).encode(unknown);
        InputStream in = new SequenceInputStream(new ByteArrayInputStream(unknown),
                new ByteArrayInputStream(bytes(new DataFrame(5, 0, new byte[] {1}))));
        Frame f = new FrameReader(in).read();
        assertInstanceOf(DataFrame.class, f);
    }

    @Test
    void maximumSizedFrameRoundTripsOverAnInMemoryPipe() throws Exception {
        Pipe pipe = Pipe.open();
        byte[] payload = new byte[FrameHeader.MAX_DATA_LENGTH];
        payload[payload.length - 1] = 9;
        Thread writer = Thread.ofVirtual().start(() -> {
            try (var sink = pipe.sink()) {
                new FrameWriter(Channels.newOutputStream(sink)).write(new DataFrame(11, Flags.REMOTE_CLOSED, payload));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        FrameReader r = new FrameReader(Channels.newInputStream(pipe.source()));
        Frame f = r.read();
        assertArrayEquals(payload, f.payload());
        assertNull(r.read());
        writer.join();
    }
}
