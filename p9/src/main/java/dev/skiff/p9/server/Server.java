package dev.skiff.p9.server;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * A 9P2000.L server for one export. It serves any byte stream: a pair of streams (stdin and
 * stdout, a relayed virtio-serial port), a connected {@link SocketChannel} (unix or TCP), or
 * every connection accepted on a listening channel, each on its own thread (one accept loop,
 * blocking I/O, as the style guide asks). Qids are shared by every connection, so two
 * guests see the same identity for the same file.
 */
public final class Server {
    private static final System.Logger LOG = System.getLogger("dev.skiff.p9.server");

    private final Export export;
    private final Limits limits;
    private final QidMap qids = new QidMap();
    private final Stats stats;

    /** A server that times every request into {@code stats} (null: no timing). */
    public Server(Export export, Limits limits, Stats stats) {
        this.export = export;
        this.limits = limits;
        this.stats = stats;
    }

    public Server(Export export, Limits limits) {
        this(export, limits, null);
    }

    public Server(Export export) {
        this(export, Limits.DEFAULT);
    }

    public Export export() {
        return export;
    }

    /**
     * Serves one connection on the calling thread until the peer closes it or breaks the
     * protocol; then closes {@code transport}.
     */
    public void serve(InputStream in, OutputStream out, Closeable transport, String peer) {
        new Session(export, qids, limits, stats, in, out, transport, peer).run();
    }

    /** Serves one connected channel on the calling thread. */
    public void serve(SocketChannel channel) {
        String peer;
        try {
            peer = String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            peer = "?";
        }
        serve(Channels.newInputStream(channel), Channels.newOutputStream(channel), channel, peer);
    }

    /**
     * Starts {@link #serve(SocketChannel)} on a new platform thread. A connection's reader is
     * one thread that waits for the next request nearly all the time, and on a platform thread
     * that wait is a plain blocking read(2). On a virtual thread each request would first wake
     * the JDK's poller thread, which then schedules the reader on a carrier: two more thread
     * wake-ups per request (measured with p9/bench/micro.sh, one client doing
     * walk+getattr+clunk: 1,296 sets/s on virtual threads, against diod's 2,273). Connections
     * are few (one per share and guest), so a thread each costs little; requests that may wait
     * still get virtual threads of their own (see Session).
     */
    public Thread start(SocketChannel channel) {
        return Thread.ofPlatform().daemon().name("p9-conn").start(() -> serve(channel));
    }

    /** Accepts connections until the channel is closed; each is served on its own thread. */
    public void listen(ServerSocketChannel listener) throws IOException {
        while (listener.isOpen()) {
            SocketChannel c;
            try {
                c = listener.accept();
            } catch (IOException e) {
                if (!listener.isOpen()) {
                    return;
                }
                throw e;
            }
            LOG.log(System.Logger.Level.DEBUG, "9P connection accepted");
            start(c);
        }
    }
}
