package dev.skiff.erofs.tar;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The decompressed tar byte stream: buffered, counting, and fingerprinting every byte consumed, so that the
 * image's UUID can be derived from the layer's content. Headers and other metadata go into a SHA-256 directly;
 * entry data (most of the bytes) goes through CRC32C, ~40 times cheaper, whose value and length are folded into
 * the SHA-256 at the end of each entry ({@link #endData()}). The fingerprint identifies content; it is not meant
 * to resist deliberate collisions (the layer's OCI digest does that).
 */
final class TarInput {
    private static final int BUFFER = 1 << 18;

    private final InputStream in;
    private final byte[] buf = new byte[BUFFER];
    private final MessageDigest digest;
    private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    private long dataBytes;
    private boolean inData;
    private int pos;
    private int limit;
    private long offset;

    TarInput(InputStream in) {
        this.in = in;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bytes consumed so far. */
    long offset() {
        return offset;
    }

    /** From now on, consumed bytes are entry data. */
    void beginData() {
        inData = true;
    }

    /** Folds the data fingerprint (CRC32C and length) into the digest. */
    void endData() {
        if (!inData) {
            return;
        }
        inData = false;
        long v = crc.getValue();
        for (long x : new long[] {v, dataBytes}) {
            for (int i = 56; i >= 0; i -= 8) {
                digest.update((byte) (x >>> i));
            }
        }
        crc.reset();
        dataBytes = 0;
    }

    private void hash(byte[] b, int off, int len) {
        if (inData) {
            crc.update(b, off, len);
            dataBytes += len;
        } else {
            digest.update(b, off, len);
        }
    }

    /** The fingerprint of everything consumed so far. */
    byte[] digest() {
        try {
            return ((MessageDigest) digest.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private boolean fill() throws IOException {
        if (pos < limit) {
            return true;
        }
        int n = in.readNBytes(buf, 0, buf.length);
        pos = 0;
        limit = n;
        return n > 0;
    }

    /** Reads up to {@code len} bytes; returns -1 at the end of the stream. */
    int read(byte[] dst, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!fill()) {
            return -1;
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, dst, off, n);
        hash(buf, pos, n);
        pos += n;
        offset += n;
        return n;
    }

    /**
     * Reads exactly {@code len} bytes, or returns how many were read before the stream ended (less than
     * {@code len}).
     */
    int readFully(byte[] dst, int off, int len) throws IOException {
        int done = 0;
        while (done < len) {
            int n = read(dst, off + done, len - done);
            if (n < 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** Consumes the rest of the stream (the end-of-archive blocks and record padding). */
    void drain() throws IOException {
        while (fill()) {
            hash(buf, pos, limit - pos);
            offset += limit - pos;
            pos = limit;
        }
    }

    /** Consumes {@code n} bytes; throws {@link EOFException} with the count consumed if the stream ends first. */
    void skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            if (!fill()) {
                throw new EOFException(Long.toString(n - left));
            }
            int k = (int) Math.min(left, limit - pos);
            hash(buf, pos, k);
            pos += k;
            offset += k;
            left -= k;
        }
    }
}
