package dev.skiff.agent.storage;

import dev.skiff.agent.api.SocketRelayProtocol;
import dev.skiff.guest.Main;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A unix socket in the guest that stands for a socket on the host (the daemon's API socket when a
 * container bind-mounts /var/run/docker.sock): each connection to it is carried to the host's
 * relay over TCP through the uplink, which the relay joins to the host socket after checking the
 * token. The socket file is the storage's path, which a container bind-mounts.
 */
final class SocketForward implements AutoCloseable {
    /** Mode of the socket file: owner and group, as a docker.sock on a Linux host. */
    private static final Set<java.nio.file.attribute.PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-rw----");

    private final Path path;
    private final InetSocketAddress relay;
    private final byte[] token;
    private final ServerSocketChannel listener;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();

    private SocketForward(Path path, InetSocketAddress relay, byte[] token, ServerSocketChannel listener) {
        this.path = path;
        this.relay = relay;
        this.token = token.clone();
        this.listener = listener;
    }

    /** Listens at {@code path} (replacing nothing: the path must be free) and starts accepting. */
    static SocketForward start(Path path, InetSocketAddress relay, byte[] token) throws IOException {
        if (token.length != SocketRelayProtocol.TOKEN_BYTES) {
            throw new IllegalArgumentException("a relay token has " + SocketRelayProtocol.TOKEN_BYTES + " bytes, not "
                    + token.length);
        }
        Files.createDirectories(path.getParent());
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, MODE);
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        SocketForward f = new SocketForward(path, relay, token, listener);
        Thread.ofVirtual().name("forward-" + path.getFileName()).start(f::acceptLoop);
        return f;
    }

    private void acceptLoop() {
        while (listener.isOpen()) {
            SocketChannel local;
            try {
                local = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                Main.log("socket " + path + ": accept: " + e.getMessage());
                return;
            }
            Thread.ofVirtual().name("forward-conn").start(() -> serve(local));
        }
    }

    private void serve(SocketChannel local) {
        open.add(local);
        SocketChannel remote = null;
        try {
            remote = SocketChannel.open();
            open.add(remote);
            if (!listener.isOpen()) {
                return; // closed while this connection was being set up
            }
            remote.socket().connect(relay, 10_000);
            ByteBuffer preamble = ByteBuffer.wrap(token);
            while (preamble.hasRemaining()) {
                remote.write(preamble);
            }
            SocketRelayProtocol.splice(local, remote);
        } catch (IOException e) {
            Main.log("socket " + path + ": cannot reach the host's relay at " + relay + ": " + e.getMessage());
        } finally {
            SocketRelayProtocol.closeQuietly(local);
            open.remove(local);
            if (remote != null) {
                SocketRelayProtocol.closeQuietly(remote);
                open.remove(remote);
            }
        }
    }

    /** Stops listening, ends every connection carried so far, and removes the socket file. */
    @Override
    public void close() {
        SocketRelayProtocol.closeQuietly(listener);
        for (SocketChannel ch : open) {
            SocketRelayProtocol.closeQuietly(ch);
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            Main.log("socket " + path + ": " + e.getMessage());
        }
    }
}
