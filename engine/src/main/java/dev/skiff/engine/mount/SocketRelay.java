package dev.skiff.engine.mount;

import dev.skiff.agent.api.SocketRelayProtocol;
import dev.skiff.engine.placement.UtilityVm;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host end of forwarded sockets: a container that bind-mounts a unix socket (the daemon's own
 * API socket as /var/run/docker.sock, as Docker Desktop gives it, or any other socket on the host)
 * gets a socket its VM's agent made, and each connection to that arrives here over TCP on
 * loopback, through the VM's user networking. The listener is on 127.0.0.1, so any local user
 * could connect to it: a connection reaches a host socket only by presenting the random token of
 * a live forward first, and a forward's token is revoked when its container's mount goes.
 */
public final class SocketRelay implements AutoCloseable {
    private static final Logger LOG = System.getLogger(SocketRelay.class.getName());
    /** How long a new connection may take to present its token. */
    private static final int TOKEN_DEADLINE_MILLIS = 10_000;

    /** One forward: the host socket behind it and the token its guest end presents. */
    public final class Ticket implements UtilityVm.RelayedSocket {
        private final String key;
        private final byte[] token;
        private final Path target;
        private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();

        private Ticket(byte[] token, Path target) {
            this.key = HexFormat.of().formatHex(token);
            this.token = token;
            this.target = target;
        }

        @Override
        public int port() {
            return listener.socket().getLocalPort();
        }

        @Override
        public byte[] token() {
            return token.clone();
        }

        public Path target() {
            return target;
        }

        /** Revokes the token and ends the connections carried for it. */
        @Override
        public void close() {
            tickets.remove(key, this);
            for (SocketChannel ch : open) {
                SocketRelayProtocol.closeQuietly(ch);
            }
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();
    private ServerSocketChannel listener; // bound on first use; guarded by this

    /** A new forward to {@code target}, a unix socket on the host. */
    public synchronized Ticket open(Path target) throws IOException {
        if (listener == null) {
            ServerSocketChannel l = ServerSocketChannel.open();
            l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            listener = l;
            Thread.ofVirtual().name("socket-relay").start(() -> acceptLoop(l));
            LOG.log(Level.INFO, "socket relay listening on " + l.getLocalAddress());
        }
        byte[] token = new byte[SocketRelayProtocol.TOKEN_BYTES];
        random.nextBytes(token);
        Ticket t = new Ticket(token, target);
        tickets.put(t.key, t);
        return t;
    }

    private void acceptLoop(ServerSocketChannel l) {
        while (l.isOpen()) {
            try {
                SocketChannel ch = l.accept();
                Thread.ofVirtual().name("socket-relay-conn").start(() -> serve(ch));
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "socket relay: accept: " + e.getMessage());
                return;
            }
        }
    }

    private void serve(SocketChannel guest) {
        Ticket ticket;
        try {
            guest.socket().setSoTimeout(TOKEN_DEADLINE_MILLIS);
            InputStream in = guest.socket().getInputStream();
            byte[] token = in.readNBytes(SocketRelayProtocol.TOKEN_BYTES);
            ticket = token.length == SocketRelayProtocol.TOKEN_BYTES ? tickets.get(HexFormat.of().formatHex(token)) : null;
            if (ticket == null) {
                LOG.log(Level.WARNING, "socket relay: refused a connection from " + guest.getRemoteAddress()
                        + " without a valid token");
                SocketRelayProtocol.closeQuietly(guest);
                return;
            }
            guest.socket().setSoTimeout(0);
        } catch (IOException e) {
            SocketRelayProtocol.closeQuietly(guest);
            return;
        }
        ticket.open.add(guest);
        SocketChannel host = null;
        try {
            host = SocketChannel.open(StandardProtocolFamily.UNIX);
            ticket.open.add(host);
            if (!tickets.containsKey(ticket.key)) {
                return; // revoked meanwhile
            }
            host.connect(UnixDomainSocketAddress.of(ticket.target));
            SocketRelayProtocol.splice(guest, host);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "socket relay: cannot connect to " + ticket.target + ": " + e.getMessage());
        } finally {
            SocketRelayProtocol.closeQuietly(guest);
            ticket.open.remove(guest);
            if (host != null) {
                SocketRelayProtocol.closeQuietly(host);
                ticket.open.remove(host);
            }
        }
    }

    /** How many forwards are live (for tests of resource lifetimes). */
    public int live() {
        return tickets.size();
    }

    @Override
    public synchronized void close() {
        if (listener != null) {
            SocketRelayProtocol.closeQuietly(listener);
        }
        for (Ticket t : tickets.values()) {
            t.close();
        }
    }
}
