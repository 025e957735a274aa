package dev.skiff.engine.api;

import java.io.IOException;
import java.io.InputStream;

/** A request body of Content-Length bytes (RFC 9112 section 6.2); never reads past its end. */
final class FixedLengthInputStream extends InputStream {
    private final InputStream in;
    private long remaining;

    FixedLengthInputStream(InputStream in, long length) {
        this.in = in;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining == 0) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw HttpException.malformed("body ended " + remaining + " bytes before its Content-Length");
        }
        remaining -= n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(in.available(), remaining);
    }

    /** Closing a body does not close the connection. */
    @Override
    public void close() {
    }
}
