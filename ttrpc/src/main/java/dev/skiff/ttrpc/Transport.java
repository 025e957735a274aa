package dev.skiff.ttrpc;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * A byte channel that ttrpc runs over: an input, an output, and how to close both. Reading and
 * writing happen concurrently from different threads. {@link #close()} must make a blocked read
 * return or fail (sockets and {@code java.nio} channels do), otherwise the reader thread outlives
 * the connection.
 */
public record Transport(InputStream in, OutputStream out, Closeable closer) implements Closeable {
    public Transport {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(closer, "closer");
    }

    /** A stream pair; closing the transport closes both streams. */
    public static Transport of(InputStream in, OutputStream out) {
        return new Transport(in, out, () -> {
            try (in; out) {
                // close both, even if one fails
            }
        });
    }

    /** One bidirectional channel, e.g. a blocking {@code SocketChannel} (TCP or unix domain). */
    public static Transport of(ByteChannel channel) {
        return of(channel, channel, channel);
    }

    /**
     * A readable and a writable channel, e.g. the source and sink of two {@code java.nio} pipes.
     * The channels are read and written directly (not through {@code Channels.newInputStream}),
     * so a blocked read never holds a lock that a write needs.
     */
    public static Transport of(ReadableByteChannel source, WritableByteChannel sink, Closeable closer) {
        return new Transport(new ChannelIn(source), new ChannelOut(sink), closer);
    }

    @Override
    public void close() throws IOException {
        closer.close();
    }

    private static final class ChannelIn extends InputStream {
        private final ReadableByteChannel ch;

        ChannelIn(ReadableByteChannel ch) {
            this.ch = ch;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            int n;
            do {
                n = ch.read(buf);
            } while (n == 0);
            return n;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }

    private static final class ChannelOut extends OutputStream {
        private final WritableByteChannel ch;

        ChannelOut(WritableByteChannel ch) {
            this.ch = ch;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
