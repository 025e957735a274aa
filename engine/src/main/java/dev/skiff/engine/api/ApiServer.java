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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * The Docker Engine API on a unix socket. One platform thread accepts; each connection is served
 * on its own virtual thread by an {@link HttpConnection}, at most {@link #MAX_CONNECTIONS} at once.
 * All state lives in the {@link Backend}.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger(ApiServer.class.getName());
    /** Connections served at once; the accept loop waits for a free slot beyond this. */
    static final int MAX_CONNECTIONS = 1024;

    private final Router router;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private ServerSocketChannel server;
    private Thread acceptor;
    private Path socket;

    public ApiServer(Backend backend) {
        this.router = Routes.of(backend);
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
                slots.acquire();
                channel = server.accept();
            } catch (ClosedChannelException | InterruptedException e) {
                return;
            } catch (IOException e) {
                slots.release();
                LOG.log(Level.WARNING, "failed to accept an API connection: " + e);
                continue;
            }
            connections.add(channel);
            Thread.ofVirtual().name("skiff-api-conn").start(() -> {
                try {
                    new HttpConnection(channel, router).run();
                } finally {
                    connections.remove(channel);
                    slots.release();
                }
            });
        }
    }

    /** Stops accepting, closes every open connection and removes the socket file. */
    @Override
    public synchronized void close() throws IOException {
        if (server == null) {
            return;
        }
        server.close();
        for (SocketChannel channel : connections) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "failed to close an API connection: " + e);
            }
        }
        acceptor.interrupt(); // in case it waits for a connection slot
        try {
            acceptor.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(socket);
        server = null;
    }
}
