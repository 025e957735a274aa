package dev.skiff.engine.api;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A response body in the chunked transfer coding. Each {@link #write(byte[], int, int)} becomes
 * one chunk; {@link #flush()} pushes it to the client at once, which is what streams (logs,
 * wait, JSON progress) need. {@link #close()} writes the last chunk but leaves the connection
 * open for the next request.
 */
final class ChunkedOutputStream extends FilterOutputStream {
    private boolean closed;

    ChunkedOutputStream(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("chunked response already finished");
        }
        if (len == 0) {
            return; // a zero-length chunk would end the body
        }
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b, off, len);
        out.write('\r');
        out.write('\n');
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }
}
