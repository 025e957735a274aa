package dev.skiff.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A blob's body that survives a broken connection: when a read fails (or nothing arrives for the idle timeout,
 * which a watchdog enforces by closing the body), it waits, then asks again with {@code Range: bytes=N-} and
 * needs {@code 206} with a matching {@code Content-Range}, as moby's {@code pull_v2.go} does. Bytes are counted
 * and hashed as the caller reads them; at the end size and sha256 must be the descriptor's.
 */
final class BlobStream extends InputStream {
    /** Progress is reported at most once per this many bytes. */
    static final int PROGRESS_STEP = 64 * 1024;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

    /** Opens the blob from {@code offset} (a Range request when above 0). */
    @FunctionalInterface
    interface Opener {
        HttpResponse<InputStream> open(long offset) throws RegistryException;
    }

    /** Not worth another attempt: verification failures, a registry that cannot resume. */
    static final class Fatal extends IOException {
        Fatal(String message) {
            super(message);
        }

        Fatal(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Descriptor blob;
    private final Opener opener;
    private final BlobListener listener;
    private final int maxAttempts;
    private final Duration retryBase;
    private final long idleNanos;
    private final MessageDigest sha256 = Digests.sha256();
    private final ScheduledFuture<?> watchdog;

    private volatile InputStream body;
    private volatile InputStream abortedBody; // closed by the watchdog for idleness
    private volatile long lastActivity = System.nanoTime();
    private long offset;
    private long reported;
    private int attempt = 1;
    private boolean done;
    private boolean closed;

    BlobStream(ClientContext ctx, Descriptor blob, Opener opener, BlobListener listener) {
        this.blob = blob;
        this.opener = opener;
        this.listener = listener == null ? BlobListener.NONE : listener;
        this.maxAttempts = Math.max(1, ctx.config.maxDownloadAttempts());
        this.retryBase = ctx.retryBase;
        this.idleNanos = ctx.config.idleTimeout().toNanos();
        long period = Math.max(10, Math.min(1000, ctx.config.idleTimeout().toMillis() / 4));
        this.watchdog = ctx.watchdog.scheduleAtFixedRate(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the first attempt now, so that a 404 or 401 surfaces from {@code openBlob} as a
     * RegistryException; transport failures are retried like failures mid-body.
     */
    BlobStream start() throws RegistryException {
        while (true) {
            try {
                body = open();
                return this;
            } catch (RegistryException e) {
                if (e.kind() != RegistryException.Kind.UNREACHABLE || attempt >= maxAttempts) {
                    watchdog.cancel(false);
                    throw e;
                }
                if (!backoff(e)) {
                    watchdog.cancel(false);
                    throw new RegistryException(RegistryException.Kind.UNREACHABLE, "interrupted while waiting to"
                            + " retry " + blob.digest(), e);
                }
            }
        }
    }

    /** One attempt's response, checked: 200 from the start, or 206 exactly where we stopped. */
    private InputStream open() throws RegistryException {
        HttpResponse<InputStream> r = opener.open(offset);
        lastActivity = System.nanoTime();
        if (offset == 0 && r.statusCode() == 200) {
            return r.body();
        }
        if (offset > 0 && r.statusCode() == 206) {
            Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
            if (m.matches() && Long.parseLong(m.group(1)) == offset) {
                return r.body();
            }
            Session.discard(r);
            throw new RegistryException(RegistryException.Kind.INVALID, "failed to resume " + blob.digest()
                    + " at byte " + offset + ": the registry answered Content-Range \""
                    + r.headers().firstValue("Content-Range").orElse("") + "\"");
        }
        Session.discard(r);
        throw new RegistryException(RegistryException.Kind.INVALID, "failed to resume " + blob.digest()
                + " at byte " + offset + ": expected HTTP 206 from byte range request, got "
                + ErrorBodies.statusLine(r.statusCode()) + " (the registry does not resume downloads)");
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("the stream of " + blob.digest() + " is closed");
        }
        if (done) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        while (true) {
            InputStream in = body;
            try {
                if (in == null) {
                    body = in = reopen();
                }
                int n = in.read(b, off, len);
                if (abortedBody == in) {
                    throw idle();
                }
                if (n < 0) {
                    if (offset < blob.size()) {
                        throw new IOException("the registry ended " + blob.digest() + " after " + offset + " of "
                                + blob.size() + " bytes");
                    }
                    finish();
                    return -1;
                }
                lastActivity = System.nanoTime();
                count(b, off, n);
                return n;
            } catch (Fatal e) {
                close();
                throw e;
            } catch (IOException e) {
                if (closed) {
                    throw e;
                }
                failed(abortedBody == in && in != null ? idle() : e);
            }
        }
    }

    private void count(byte[] b, int off, int n) throws IOException {
        if (offset + n > blob.size()) {
            throw new Fatal("filesystem layer verification failed for digest " + blob.digest()
                    + ": the registry sent more than the " + blob.size() + " bytes the manifest gives");
        }
        sha256.update(b, off, n);
        offset += n;
        if (offset - reported >= PROGRESS_STEP) {
            reported = offset;
            listener.progress(offset, blob.size());
        }
    }

    private void finish() throws IOException {
        done = true;
        closeBody();
        watchdog.cancel(false);
        String actual = Digests.format(sha256.digest());
        if (offset != blob.size() || !actual.equals(blob.digest())) {
            throw new Fatal("filesystem layer verification failed for digest " + blob.digest() + ": got "
                    + offset + " bytes with digest " + actual);
        }
        if (reported != offset) {
            reported = offset;
            listener.progress(offset, blob.size());
        }
    }

    private IOException idle() {
        return new IOException("no data from the registry for " + Duration.ofNanos(idleNanos).toMillis()
                + " ms while reading " + blob.digest());
    }

    /** An attempt failed: give up after the last one, else tell the listener, wait, and let read reopen. */
    private void failed(IOException cause) throws IOException {
        closeBody();
        if (attempt >= maxAttempts) {
            close();
            throw new IOException("failed to download " + blob.digest() + " after " + attempt + " attempts: "
                    + cause.getMessage(), cause);
        }
        if (!backoff(cause)) {
            close();
            throw new InterruptedIOException("interrupted while waiting to retry " + blob.digest());
        }
    }

    /** Tells the listener and waits attempt × base (Docker: 5, 10, 15 s); false when interrupted. */
    private boolean backoff(Exception cause) {
        Duration wait = retryBase.multipliedBy(attempt);
        listener.retrying(attempt, wait, cause);
        attempt++;
        return ClientContext.pause(wait);
    }

    private InputStream reopen() throws IOException {
        try {
            return open();
        } catch (RegistryException e) {
            if (e.kind() == RegistryException.Kind.UNREACHABLE) {
                throw new IOException(e.getMessage(), e);
            }
            throw new Fatal(e.getMessage(), e);
        }
    }

    /** Runs on the watchdog thread: closing the body makes the blocked read fail, and read retries. */
    private void checkIdle() {
        InputStream in = body;
        if (in != null && !done && System.nanoTime() - lastActivity > idleNanos) {
            abortedBody = in;
            try {
                in.close();
            } catch (IOException e) {
                // closing is all we wanted
            }
        }
    }

    private void closeBody() {
        InputStream in = body;
        body = null;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // the connection is dropped either way
            }
        }
    }

    /** Bytes delivered so far (and verified, once the stream is at its end). */
    long offset() {
        return offset;
    }

    @Override
    public void close() {
        closed = true;
        watchdog.cancel(false);
        closeBody();
    }
}
