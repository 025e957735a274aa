package dev.skiff.engine.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Marks failures to read the client's input ({@link ReadFailure}), so they can be told from
 * failures to write the store: a bad archive is the client's error (400), a full disk is ours.
 * Closing it leaves the wrapped stream open.
 */
final class ReadGuard extends FilterInputStream {
    /** The input could not be read: truncated, corrupt, or the client went away. */
    static final class ReadFailure extends IOException {
        ReadFailure(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }

    ReadGuard(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (ReadFailure f) {
            throw f;
        } catch (IOException | RuntimeException e) {
            throw new ReadFailure(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (ReadFailure f) {
            throw f;
        } catch (IOException | RuntimeException e) {
            throw new ReadFailure(e);
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return super.skip(n);
        } catch (ReadFailure f) {
            throw f;
        } catch (IOException | RuntimeException e) {
            throw new ReadFailure(e);
        }
    }

    @Override
    public void close() {
        // the caller owns the wrapped stream
    }
}
