package dev.skiff.ttrpc;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * A ttrpc server: serves the methods of a {@link ServiceRegistry} on any number of connections.
 *
 * <pre>{@code
 * var registry = new ServiceRegistry()
 *         .unary("skiff.Echo", "Echo", (call, req) -> req);
 * try (var server = new Server(registry)) {
 *     server.serve(Transport.of(socketChannel));   // one connection
 *     // or: server.start(listener);                // accept loop on its own thread
 * }
 * }</pre>
 *
 * <p>Threads: one accept thread per listener, one virtual reader thread and one virtual writer
 * thread per connection, one virtual thread per call.
 */
public final class Server implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Server.class.getName());

    private final ServiceRegistry registry;
    private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<ServerSocketChannel> listeners = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private final ThreadFactory ioThreads;

    public Server(ServiceRegistry registry) {
        this(registry, Thread.ofVirtual().factory());
    }

    /**
     * A server whose connections read and write on threads from {@code ioThreads}. Virtual threads
     * suit sockets; a transport that blocks in read(2) on a device (a virtio-serial port in the
     * guest) needs platform threads, or it holds one of the few carrier threads while it waits.
     */
    public Server(ServiceRegistry registry, ThreadFactory ioThreads) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.ioThreads = Objects.requireNonNull(ioThreads, "ioThreads");
    }

    /** Serves one connection until it ends; returns at once. */
    public ServerConnection serve(Transport transport) {
        if (closed) {
            throw new IllegalStateException("server is closed");
        }
        ServerConnection conn = new ServerConnection(transport, registry, connections::remove, ioThreads);
        connections.add(conn);
        conn.start();
        return conn;
    }

    /** Accepts connections on a blocking listener until it or the server is closed. */
    public void serve(ServerSocketChannel listener) throws IOException {
        listeners.add(listener);
        try {
            while (!closed) {
                SocketChannel ch = listener.accept();
                serve(Transport.of(ch));
            }
        } catch (AsynchronousCloseException e) {
            // listener closed: normal shutdown
        } finally {
            listeners.remove(listener);
        }
    }

    /** Runs {@link #serve(ServerSocketChannel)} on a new thread and returns it. */
    public Thread start(ServerSocketChannel listener) {
        return Thread.ofPlatform().daemon().name("ttrpc-accept").start(() -> {
            try {
                serve(listener);
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.ERROR, "ttrpc accept loop failed", e);
                }
            }
        });
    }

    /** Closes the listeners and every connection. */
    @Override
    public void close() {
        closed = true;
        for (ServerSocketChannel l : listeners) {
            try {
                l.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "failed to close listener", e);
            }
        }
        connections.forEach(ServerConnection::close);
    }
}
