package dev.skiff.vhost;

import dev.skiff.sys.ErrnoException;
import dev.skiff.sys.Fds;
import dev.skiff.sys.Sockets;

/**
 * Serves one vhost-user connection: reads messages on the calling thread, hands them to the
 * {@link Backend}, writes replies, and honours REPLY_ACK ("REPLY_ACK" in vhost-user.rst: when
 * negotiated, a message with {@code need_reply} set that has no reply of its own gets a u64
 * status, 0 for success).
 *
 * <p>Errors end here, once: a refused message ends the session with {@link SessionEnd.Kind#REFUSED}
 * and the process goes on. Whatever way it ends, every queue is stopped, every descriptor the
 * session took is closed and guest memory is unmapped; the socket is closed too.
 */
public final class BackendSession implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.skiff.vhost");
    /** The REPLY_ACK status for a failed request. */
    static final long ACK_FAILED = 1;

    private final int socketFd;
    private final Device device;
    private volatile boolean closing;
    /** Guards the socket's number: once serve has closed it, close must not shut down a reuse of it. */
    private final Object socketLock = new Object();
    private boolean socketClosed;

    /** A session on connected socket {@code socketFd}, which it owns from now on. */
    public BackendSession(int socketFd, Device device) {
        this.socketFd = socketFd;
        this.device = device;
    }

    /** Serves messages until the connection ends; returns how it ended. Never throws for the peer's doing. */
    public SessionEnd serve() {
        try (MessageChannel channel = new MessageChannel(socketFd); Backend backend = new Backend(device)) {
            return loop(channel, backend);
        } finally {
            synchronized (socketLock) {
                socketClosed = true;
                Fds.closeQuietly(socketFd);
            }
        }
    }

    private SessionEnd loop(MessageChannel channel, Backend backend) {
        while (true) {
            MessageChannel.Raw raw;
            try {
                raw = channel.read();
            } catch (VhostUserException e) {
                return refused(e);
            } catch (ErrnoException e) {
                return closing ? new SessionEnd(SessionEnd.Kind.CLOSED_LOCALLY, null) : failed(e);
            }
            if (raw == null) {
                return new SessionEnd(closing ? SessionEnd.Kind.CLOSED_LOCALLY : SessionEnd.Kind.PEER_CLOSED, null);
            }
            Header header = raw.header();
            try {
                FrontendRequest request = MessageDecoder.decode(header, raw.payload(), raw.fds());
                byte[] reply = backend.handle(header.request(), request);
                if (reply == null && header.needReply() && backend.replyAck()) {
                    reply = Replies.u64(header.request(), 0);
                }
                if (reply != null) {
                    channel.write(reply);
                }
            } catch (VhostUserException e) {
                if (header.needReply() && backend.replyAck()) {
                    tryWrite(channel, Replies.u64(header.request(), ACK_FAILED));
                }
                return refused(e);
            } catch (ErrnoException e) {
                return failed(e);
            } catch (RuntimeException e) {
                // a bug of ours or of the device: this session ends, the process goes on
                LOG.log(System.Logger.Level.ERROR, "vhost-user session failed on " + VhostUser.name(header.request()), e);
                return new SessionEnd(SessionEnd.Kind.FAILED, e);
            }
        }
    }

    private static void tryWrite(MessageChannel channel, byte[] reply) {
        try {
            channel.write(reply);
        } catch (ErrnoException e) {
            // the session ends anyway
        }
    }

    private static SessionEnd refused(VhostUserException e) {
        LOG.log(System.Logger.Level.WARNING, "vhost-user session refused a message: " + e.getMessage());
        return new SessionEnd(SessionEnd.Kind.REFUSED, e);
    }

    private static SessionEnd failed(ErrnoException e) {
        LOG.log(System.Logger.Level.WARNING, "vhost-user session failed: " + e.getMessage());
        return new SessionEnd(SessionEnd.Kind.FAILED, e);
    }

    /** Ends a running {@link #serve} from another thread: shuts the socket down, so its read returns. */
    @Override
    public void close() {
        closing = true;
        synchronized (socketLock) {
            if (socketClosed) {
                return;
            }
            try {
                Sockets.shutdown(socketFd);
            } catch (ErrnoException e) {
                // not connected any more: serve is ending by itself
            }
        }
    }
}
