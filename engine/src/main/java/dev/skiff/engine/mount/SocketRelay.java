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
 *
 * <p>Forwards outlive the daemon (live restore): the guest's end of a forward keeps the relay's port
 * and token it was given, so the relay keeps its port and each forward's token in a state file
 * (mode 0600, the tokens being what keeps other local users off the sockets), and the next daemon
 * listens on the same port again and takes the forwards of the containers still running back up
 * ({@link #resume}).
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
        private volatile String storage; // the guest storage it stands behind, once known; saved with it

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

        /**
         * Names the guest storage this forward stands behind, and saves it under that name, so that a
         * later daemon can take it back up ({@link #resume}).
         */
        public void saveAs(String storageId) {
            storage = storageId;
            save();
        }

        /** Revokes the token and ends the connections carried for it. */
        @Override
        public void close() {
            if (tickets.remove(key, this) && storage != null) {
                save();
            }
            for (SocketChannel ch : open) {
                SocketRelayProtocol.closeQuietly(ch);
            }
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();
    private final RelayState state; // null: forwards end with this relay (tests)
    private final int savedPort; // the port an earlier daemon's relay listened on, 0 if none
    private final Map<String, RelayState.Forward> unclaimed; // guarded by this: saved, not yet resumed
    private ServerSocketChannel listener; // bound on first use; guarded by this
    private Thread acceptor; // guarded by this

    /** A relay whose forwards end with it. */
    public SocketRelay() {
        this.state = null;
        this.savedPort = 0;
        this.unclaimed = new java.util.HashMap<>();
    }

    /**
     * A relay that saves its port and forwards in {@code stateFile}, and finds there those of an
     * earlier daemon's relay to take up; a file that cannot be read is logged and left to be replaced.
     */
    public SocketRelay(Path stateFile) {
        this.state = new RelayState(stateFile);
        RelayState.Saved saved = state.load();
        this.savedPort = saved.port();
        this.unclaimed = new java.util.HashMap<>(saved.forwards());
    }

    /** A new forward to {@code target}, a unix socket on the host. */
    public synchronized Ticket open(Path target) throws IOException {
        listen(false);
        byte[] token = new byte[SocketRelayProtocol.TOKEN_BYTES];
        random.nextBytes(token);
        Ticket t = new Ticket(token, target);
        tickets.put(t.key, t);
        return t;
    }

    /**
     * Takes up the forward an earlier daemon's relay saved for guest storage {@code storageId}, now
     * to {@code target} (the daemon's API socket may have moved): its token is live again, on the
     * port the guest's end still connects to.
     *
     * @throws IOException when no forward was saved for it, or that port cannot be had again (another
     *     program took it meanwhile, or this relay already listens elsewhere)
     */
    public synchronized Ticket resume(String storageId, Path target) throws IOException {
        RelayState.Forward saved = unclaimed.get(storageId);
        if (saved == null) {
            throw new IOException("the earlier daemon saved no relay forward for " + storageId);
        }
        listen(true);
        Ticket t = new Ticket(saved.token(), target);
        t.storage = storageId;
        tickets.put(t.key, t);
        unclaimed.remove(storageId);
        save();
        return t;
    }

    /** Drops the saved forwards no container took up again ({@link #resume}): their containers are gone. */
    public synchronized void forgetUnclaimed() {
        if (!unclaimed.isEmpty()) {
            unclaimed.clear();
            save();
        }
    }

    /**
     * Listens on loopback if not yet: on the earlier daemon's port where there was one (the guests'
     * ends of its forwards connect there), else on any. {@code mustResume}: that port or fail.
     */
    private void listen(boolean mustResume) throws IOException {
        if (listener != null) {
            int port = listener.socket().getLocalPort();
            if (mustResume && port != savedPort) {
                throw new IOException("the relay listens on port " + port + ", not on the earlier daemon's "
                        + savedPort);
            }
            return;
        }
        ServerSocketChannel l = ServerSocketChannel.open();
        try {
            l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), savedPort));
        } catch (IOException e) {
            if (mustResume || savedPort == 0) {
                l.close();
                throw new IOException("cannot listen on the earlier daemon's relay port " + savedPort + ": "
                        + e.getMessage(), e);
            }
            LOG.log(Level.WARNING, "socket relay: the earlier daemon's port " + savedPort + " is taken ("
                    + e.getMessage() + "): its forwards cannot be taken up");
            l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }
        listener = l;
        acceptor = Thread.ofVirtual().name("socket-relay").start(() -> acceptLoop(l));
        LOG.log(Level.INFO, "socket relay listening on " + l.getLocalAddress());
        save();
    }

    /** Writes the port and the forwards a later daemon may take up: the live ones and those not yet claimed. */
    private synchronized void save() {
        if (state == null || listener == null) {
            return;
        }
        Map<String, RelayState.Forward> forwards = new java.util.TreeMap<>(unclaimed);
        for (Ticket t : tickets.values()) {
            if (t.storage != null) {
                forwards.put(t.storage, new RelayState.Forward(t.token, t.target));
            }
        }
        state.save(new RelayState.Saved(listener.socket().getLocalPort(), forwards));
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

    /**
     * Stops relaying: the listener and every connection close. The saved forwards stay saved, since
     * the containers behind them outlive the daemon, for the next one to take up.
     */
    @Override
    public synchronized void close() {
        if (listener != null) {
            SocketRelayProtocol.closeQuietly(listener);
            try {
                // the port is free once the accepting thread has left accept: the JDK closes the socket then
                acceptor.join(java.time.Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Ticket t : tickets.values()) {
            for (SocketChannel ch : t.open) {
                SocketRelayProtocol.closeQuietly(ch);
            }
        }
        tickets.clear();
    }
}
