package dev.skiff.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.skiff.ttrpc.codec.Envelopes;
import dev.skiff.ttrpc.codec.Request;
import dev.skiff.ttrpc.frame.Flags;
import dev.skiff.ttrpc.frame.Frame;
import dev.skiff.ttrpc.frame.FrameReader;
import dev.skiff.ttrpc.frame.FrameWriter;
import dev.skiff.ttrpc.frame.OversizedFrameException;
import dev.skiff.ttrpc.frame.RequestFrame;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A ttrpc client over one connection. Thread-safe: any number of calls may run at once, each on
 * its own stream. A virtual thread reads the connection and routes frames to the calls.
 *
 * <pre>{@code
 * try (var client = new Client(Transport.of(SocketChannel.open(UnixDomainSocketAddress.of(path))))) {
 *     byte[] reply = client.call("skiff.Echo", "Echo", request,
 *             CallOptions.timeout(Duration.ofSeconds(5)).withMetadata(Metadata.of("trace", "1")));
 * }
 * }</pre>
 *
 * <p>Stream ids are odd and increasing (1, 3, 5...), allocated and queued for sending under one
 * lock. A client may start higher ({@link #Client(Transport, long)}): one that takes over a byte
 * stream from an earlier client (a restarted daemon on the agent's virtio-serial port) starts at
 * {@link #randomFirstStreamId()}, so that a reply the server was still writing for the earlier
 * client, which lands on this one, names an id this client never gave and is dropped, rather than
 * one of its own live calls. A call's timeout is sent as {@code timeout_nano} and also enforced here: the caller gets
 * DEADLINE_EXCEEDED when it passes even if the server never answers. When the connection ends,
 * every pending call fails with {@link ConnectionClosedException}.
 */
public final class Client implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Client.class.getName());
    private static final long MAX_STREAM_ID = 0xFFFF_FFFFL;

    private final Transport transport;
    private final FrameReader reader;
    private final FrameSender sender;
    private final Map<Integer, ClientStream> streams = new ConcurrentHashMap<>();
    private final Object idLock = new Object();
    private long nextStreamId; // guarded by idLock
    private volatile ConnectionClosedException closedBy;

    /**
     * The range {@link #randomFirstStreamId} draws from: 2^27 odd ids, so that two clients' ranges
     * rarely meet, while at least 15/16 of the 2^31 calls a connection can carry remain.
     */
    static final long RANDOM_FIRST_LIMIT = 1L << 28;
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    /** A client whose stream ids start at 1, as containerd's do. */
    public Client(Transport transport) {
        this(transport, 1);
    }

    /**
     * A client whose stream ids start at {@code firstStreamId}: odd, as a client's are, and at most
     * the largest id. The server takes any first id: its only rule is that they increase.
     */
    public Client(Transport transport, long firstStreamId) {
        if (firstStreamId % 2 != 1 || firstStreamId > MAX_STREAM_ID) {
            throw new IllegalArgumentException("a client's first stream id is odd and at most " + MAX_STREAM_ID + ": "
                    + firstStreamId);
        }
        this.nextStreamId = firstStreamId;
        this.transport = transport;
        this.reader = new FrameReader(transport.in());
        this.sender = new FrameSender(new FrameWriter(transport.out()), "ttrpc-client-writer",
                e -> shutdown(new ConnectionClosedException("ttrpc: failed to write to connection: " + e.getMessage(), e)));
        Thread.ofVirtual().name("ttrpc-client-reader").start(this::readLoop);
    }

    /** A random odd first stream id below {@link #RANDOM_FIRST_LIMIT}, for {@link #Client(Transport, long)}. */
    public static long randomFirstStreamId() {
        return 1 + 2 * RANDOM.nextLong(RANDOM_FIRST_LIMIT / 2);
    }

    /**
     * A unary call over encoded messages.
     *
     * @return the encoded response message
     * @throws TtrpcException the server's error status, DEADLINE_EXCEEDED, CANCELLED (interrupted),
     *     RESOURCE_EXHAUSTED (message over the frame cap) or {@link ConnectionClosedException}
     */
    public byte[] call(String service, String method, byte[] request, CallOptions options) throws TtrpcException {
        ClientStream s = open(service, method, request, options, null, 0);
        try {
            return s.recvResponse();
        } finally {
            s.close(); // forgets the stream; a no-op for the caller once it has its answer
        }
    }

    /** A unary call with no timeout and no metadata. */
    public byte[] call(String service, String method, byte[] request) throws TtrpcException {
        return call(service, method, request, CallOptions.DEFAULT);
    }

    /** A unary call over protobuf messages. */
    public <T extends MessageLite> T call(String service, String method, MessageLite request, Parser<T> parser,
            CallOptions options) throws TtrpcException {
        byte[] reply = call(service, method, request.toByteArray(), options);
        try {
            return parser.parseFrom(reply);
        } catch (InvalidProtocolBufferException e) {
            throw new TtrpcException(Status.of(Code.INTERNAL,
                    "failed to decode response of /" + service + "/" + method + ": " + e.getMessage()), e);
        }
    }

    /**
     * Opens a streaming call. For a non-streaming client {@code request} is the single request
     * message; for a streaming client it may be empty and messages follow with
     * {@link ClientStream#send}.
     */
    public ClientStream newStream(String service, String method, StreamDesc desc, byte[] request, CallOptions options)
            throws TtrpcException {
        int flags = desc.streamingClient() ? Flags.REMOTE_OPEN : Flags.REMOTE_CLOSED;
        return open(service, method, request, options, desc, flags);
    }

    /** Whether the connection has ended. */
    public boolean isClosed() {
        return closedBy != null;
    }

    /** Ends the connection; pending calls fail with {@link ConnectionClosedException}. */
    @Override
    public void close() {
        shutdown(new ConnectionClosedException("ttrpc: client closed", null));
    }

    private ClientStream open(String service, String method, byte[] request, CallOptions options, StreamDesc desc,
            int flags) throws TtrpcException {
        Instant deadline = null;
        long timeoutNano = 0;
        if (options.timeout() != null) {
            timeoutNano = Deadlines.saturatedNanos(options.timeout());
            if (timeoutNano <= 0) {
                throw new TtrpcException(Code.DEADLINE_EXCEEDED, "context deadline exceeded");
            }
            deadline = Instant.now().plus(options.timeout());
        }
        byte[] envelope = Envelopes.encode(
                new Request(service, method, request, timeoutNano, options.metadata().toKeyValues()));
        ClientStream s;
        CompletableFuture<Void> sent;
        synchronized (idLock) {
            checkOpen();
            if (nextStreamId > MAX_STREAM_ID) {
                throw new TtrpcException(Code.RESOURCE_EXHAUSTED, "ttrpc: stream ids exhausted on this connection");
            }
            int id = (int) nextStreamId;
            nextStreamId += 2;
            s = new ClientStream(this, id, "/" + service + "/" + method, desc, deadline);
            streams.put(id, s);
            sent = sender.enqueue(new RequestFrame(id, flags, envelope));
        }
        try {
            s.awaitSent(sent);
        } catch (TtrpcException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private void checkOpen() throws ConnectionClosedException {
        ConnectionClosedException c = closedBy;
        if (c != null) {
            throw new ConnectionClosedException(c.status().message(), c.getCause());
        }
    }

    /** Queues a frame for a stream of this client. */
    CompletableFuture<Void> enqueue(Frame frame) {
        return sender.enqueue(frame);
    }

    void forget(ClientStream s) {
        streams.remove(s.id(), s);
    }

    ConnectionClosedException closedBy() {
        return closedBy;
    }

    private void readLoop() {
        ConnectionClosedException reason;
        try {
            while (true) {
                Frame frame;
                try {
                    frame = reader.read();
                } catch (OversizedFrameException e) {
                    // Like containerd's client: fail that one stream, keep the connection.
                    ClientStream s = streams.get(e.streamId());
                    if (s != null) {
                        s.fail(new TtrpcException(Status.of(Code.RESOURCE_EXHAUSTED, e.getMessage()), e));
                    }
                    continue;
                }
                if (frame == null) {
                    reason = new ConnectionClosedException("ttrpc: connection closed by peer", null);
                    break;
                }
                ClientStream s = streams.get(frame.streamId());
                if (s == null) {
                    LOG.log(Level.DEBUG, "ttrpc: received message on inactive stream " + frame);
                    continue;
                }
                s.receive(frame);
            }
        } catch (IOException e) {
            reason = new ConnectionClosedException("ttrpc: connection failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            reason = new ConnectionClosedException("ttrpc: client reader interrupted", e);
        }
        shutdown(reason);
    }

    private void shutdown(ConnectionClosedException reason) {
        synchronized (idLock) {
            if (closedBy != null) {
                return;
            }
            closedBy = reason;
        }
        sender.close();
        try {
            transport.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "failed to close ttrpc transport", e);
        }
        for (ClientStream s : streams.values()) {
            s.fail(reason);
        }
        streams.clear();
    }

    /** Visible for tests: the id the next stream will get. */
    long nextStreamId() {
        synchronized (idLock) {
            return nextStreamId;
        }
    }
}
