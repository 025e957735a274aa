package dev.skiff.engine.api;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

/**
 * The Docker Engine API on a unix socket. One platform thread accepts; each connection is served
 * on its own virtual thread by an {@link HttpConnection}, at most {@link #MAX_CONNECTIONS} at once,
 * with the deadlines and eviction of a {@link ConnectionTable}; beyond that a new connection gets
 * a 503 at once instead of waiting in the backlog. All state lives in the {@link Backend}.
 *
 * <p>Why a server of our own and not a library's: the Engine API needs connection hijacking
 * (attach, exec start: the socket becomes a raw byte stream in both directions, with half-closes)
 * on a unix socket, and a handful of streaming replies; this one is about 600 lines with no
 * dependency. Helidon 4's WebServer (virtual threads, unix sockets, an upgrade SPI) would take
 * over when the API grows HTTP/2 or TLS on TCP (dockerd's -H tcp://), which Skiff does not serve.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger(ApiServer.class.getName());
    /** Connections served at once; beyond, idle ones are closed to make room, or the newcomer gets a 503. */
    static final int MAX_CONNECTIONS = 1024;
    /** How long a request's head may take to arrive: a client that sends half of one is closed then. */
    static final Duration HEAD_DEADLINE = Duration.ofSeconds(10);
    /** How long a kept-alive connection may wait for its next request. */
    static final Duration IDLE_DEADLINE = Duration.ofSeconds(120);

    private final Router router;
    private final ConnectionTable connections;
    private ServerSocketChannel server;
    private Thread acceptor;
    private Thread sweeper;
    private Path socket;

    public ApiServer(Backend backend) {
        this(backend, MAX_CONNECTIONS, HEAD_DEADLINE, IDLE_DEADLINE);
    }

    /** With other limits, for tests. */
    ApiServer(Backend backend, int maxConnections, Duration headDeadline, Duration idleDeadline) {
        this.router = Routes.of(backend);
        this.connections = new ConnectionTable(maxConnections, headDeadline, idleDeadline, System::nanoTime);
    }

    /**
     * Binds {@code socket} (mode 0660) and starts accepting. A socket file left by a server that
     * is gone is deleted first; one that still answers is an error.
     */
    public synchronized void start(Path socket) throws IOException {
        if (server != null) {
            throw new IllegalStateException("API server already started on " + this.socket);
        }
        removeStaleSocket(socket);
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.bind(UnixDomainSocketAddress.of(socket));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        } catch (IOException e) {
            channel.close();
            throw new IOException("failed to bind API socket " + socket + ": " + e.getMessage(), e);
        }
        this.server = channel;
        this.socket = socket;
        this.acceptor = Thread.ofPlatform().name("skiff-api-accept").daemon(true).start(this::acceptLoop);
        this.sweeper = Thread.ofVirtual().name("skiff-api-deadlines").start(this::sweepLoop);
    }

    /** How many connections are in {@code phase} now (tests). */
    long connections(ConnectionTable.Phase phase) {
        return connections.count(phase);
    }

    /** Closes connections past their deadline, about every quarter of a second. */
    private void sweepLoop() {
        while (true) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
            int closed = connections.sweep();
            if (closed > 0) {
                LOG.log(Level.DEBUG, "closed " + closed + " API connections past their deadline");
            }
        }
    }

    private static void removeStaleSocket(Path socket) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("failed to bind API socket " + socket + ": it is a directory");
        }
        boolean alive;
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(socket)).close();
            alive = true;
        } catch (IOException e) {
            alive = false;
        }
        if (alive) {
            throw new IOException("failed to bind API socket " + socket + ": another server is listening on it");
        }
        Files.delete(socket); // nobody answers: a leftover from a server that died
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "failed to accept an API connection: " + e);
                continue;
            }
            ConnectionTable.Entry entry = connections.admit(channel);
            if (entry == null) {
                Thread.ofVirtual().name("skiff-api-full").start(() -> refuse(channel));
                continue;
            }
            Thread.ofVirtual().name("skiff-api-conn").start(() -> {
                try {
                    new HttpConnection(channel, router, entry).run();
                } finally {
                    connections.remove(entry);
                }
            });
        }
    }

    /** Every slot is in a request: a 503 that says so, then close (the request is not read). */
    private static void refuse(SocketChannel channel) {
        try (channel) {
            HttpResponse response = new HttpResponse(java.nio.channels.Channels.newOutputStream(channel), false, false);
            Router.fail(response, 503, "the Skiff daemon is serving " + MAX_CONNECTIONS
                    + " API requests at once; try again when some have ended");
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "failed to refuse an API connection: " + e);
        }
    }

    /** Stops accepting, closes every open connection and removes the socket file. */
    @Override
    public synchronized void close() throws IOException {
        if (server == null) {
            return;
        }
        server.close();
        sweeper.interrupt();
        connections.closeAll();
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(socket);
        server = null;
    }
}
