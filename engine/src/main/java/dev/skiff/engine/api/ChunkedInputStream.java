package dev.skiff.engine.api;

import java.io.IOException;
import java.io.InputStream;

/**
 * A request body in the chunked transfer coding (RFC 9112 section 7.1): size line, data, CRLF,
 * ..., a zero-size chunk, then trailer fields, which are read and dropped. The Go client sends
 * {@code docker load -i FILE} this way.
 */
final class ChunkedInputStream extends InputStream {
    private enum State { SIZE, DATA, DONE }

    private final InputStream in;
    private State state = State.SIZE;
    private long chunkRemaining;

    ChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (state == State.SIZE) {
            readSize();
        }
        if (state == State.DONE) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, chunkRemaining));
        if (n < 0) {
            throw HttpException.malformed("chunked body ended inside a chunk");
        }
        chunkRemaining -= n;
        if (chunkRemaining == 0) {
            if (!HttpRequest.readLine(in, "chunk terminator").isEmpty()) {
                throw HttpException.malformed("chunk data longer than its size");
            }
            state = State.SIZE;
        }
        return n;
    }

    private void readSize() throws IOException {
        String line = HttpRequest.readLine(in, "chunk size line");
        int semicolon = line.indexOf(';');
        String hex = HttpRequest.withoutOws(semicolon < 0 ? line : line.substring(0, semicolon));
        // 1*HEXDIG only (RFC 9112 section 7.1), as for Content-Length: Long.parseLong would take "+a"
        if (hex.isEmpty() || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 0x80)) {
            throw HttpException.malformed("bad chunk size '" + hex + "'");
        }
        try {
            chunkRemaining = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
            throw HttpException.malformed("bad chunk size '" + hex + "': too large");
        }
        if (chunkRemaining > 0) {
            state = State.DATA;
            return;
        }
        while (!HttpRequest.readLine(in, "trailer field").isEmpty()) {
            // trailer fields carry nothing the API uses
        }
        state = State.DONE;
    }

    @Override
    public int available() throws IOException {
        return state == State.DATA ? (int) Math.min(in.available(), chunkRemaining) : 0;
    }

    /** Closing a body does not close the connection. */
    @Override
    public void close() {
    }
}
