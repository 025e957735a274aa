package dev.skiff.engine.api;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Sockets;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client connection, served in blocking style on its own virtual thread: read a request,
 * dispatch it, repeat while the connection is kept alive. A hijacked reply (attach, exec start)
 * ends the loop, and so does a request whose unread body is longer than {@link #MAX_DRAIN}.
 */
final class HttpConnection implements Runnable {
    private static final Logger LOG = System.getLogger(HttpConnection.class.getName());
    /** The most unread request body skipped to keep a connection alive; beyond it, it closes. */
    static final long MAX_DRAIN = 1024 * 1024;
    private static final int BUFFER = 64 * 1024;
    private static final AtomicBoolean BLIND = new AtomicBoolean();

    private final SocketChannel channel;
    private final Router router;
    private final ConnectionTable.Entry entry; // null: no deadlines (tests over in-memory streams)
    private final int fd; // the channel's descriptor, -1 when the JVM hides it (or none)

    HttpConnection(SocketChannel channel, Router router, ConnectionTable.Entry entry) {
        this.channel = channel;
        this.router = router;
        this.entry = entry;
        this.fd = channel == null ? -1 : Sockets.fd(channel);
        if (channel != null && fd < 0 && BLIND.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "cannot see API clients that go while attached to a silent process (their"
                    + " stream stays until its next output): run java with --add-exports=java.base/sun.nio.ch=ALL-UNNAMED");
        }
    }

    /**
     * Whether the client has closed both directions of the connection (see {@link Sockets#peerClosed});
     * always false when that cannot be seen: a connection whose descriptor the JVM hides (run without
     * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}, said once in the log), or in-memory streams.
     */
    boolean hungUp() {
        if (fd < 0 || !channel.isOpen()) {
            return false;
        }
        try {
            return Sockets.peerClosed(fd);
        } catch (ErrnoException e) {
            return true; // EBADF, ENOMEM: whatever it is, this connection is not one to keep serving
        }
    }

    @Override
    public void run() {
        try (channel) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(channel), BUFFER);
            if (entry != null) {
                in = new HeadWatch(in, entry);
            }
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
            serve(in, out);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "API connection ended: " + e);
        }
    }

    /** The request loop, over any pair of streams (tests use in-memory ones). */
    void serve(InputStream in, OutputStream out) throws IOException {
        while (true) {
            HttpRequest request;
            try {
                if (entry != null) {
                    entry.idle();
                }
                request = HttpRequest.read(in);
                if (entry != null) {
                    entry.busy();
                }
            } catch (HttpException e) {
                HttpResponse response = new HttpResponse(out, false, false);
                Router.fail(response, e.status(), e.getMessage());
                return;
            }
            if (request == null) {
                return;
            }
            HttpResponse response = new HttpResponse(out, request.isHead(), request.keepAlive());
            router.dispatch(request, response, in, this::hungUp);
            out.flush();
            if (response.closeConnection() || !drain(request.body())) {
                return;
            }
        }
    }

    /** Tells the connection table when a request's first byte arrives, which starts its head deadline. */
    private static final class HeadWatch extends java.io.FilterInputStream {
        private final ConnectionTable.Entry entry;

        HeadWatch(InputStream in, ConnectionTable.Entry entry) {
            super(in);
            this.entry = entry;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0 && entry.phase() == ConnectionTable.Phase.IDLE) {
                entry.head();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n > 0 && entry.phase() == ConnectionTable.Phase.IDLE) {
                entry.head();
            }
            return n;
        }
    }

    /** Skips what the handler left of the body, so the next request starts where it should. */
    private static boolean drain(InputStream body) throws IOException {
        long skipped = 0;
        byte[] buffer = new byte[8192];
        int n;
        while ((n = body.read(buffer)) >= 0) {
            skipped += n;
            if (skipped > MAX_DRAIN) {
                return false;
            }
        }
        return true;
    }
}
