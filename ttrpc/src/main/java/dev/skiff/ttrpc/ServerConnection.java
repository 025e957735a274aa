package dev.skiff.ttrpc;

import dev.skiff.ttrpc.codec.Envelopes;
import dev.skiff.ttrpc.codec.MalformedEnvelopeException;
import dev.skiff.ttrpc.codec.Request;
import dev.skiff.ttrpc.codec.Response;
import dev.skiff.ttrpc.frame.DataFrame;
import dev.skiff.ttrpc.frame.Flags;
import dev.skiff.ttrpc.frame.Frame;
import dev.skiff.ttrpc.frame.FrameReader;
import dev.skiff.ttrpc.frame.FrameWriter;
import dev.skiff.ttrpc.frame.OversizedFrameException;
import dev.skiff.ttrpc.frame.RequestFrame;
import dev.skiff.ttrpc.frame.ResponseFrame;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One accepted connection of a {@link Server}: a virtual thread reads frames and routes them,
 * each call runs on its own virtual thread, and one sender thread writes all frames.
 *
 * <p>Protocol checks follow containerd's {@code serverConn.run}: stream ids must be odd and, for
 * new requests, increasing; a bad frame, an undecodable Request, an unknown method or an
 * oversized frame is answered with an error Response on that stream id and the connection goes
 * on. Response frames from the client and unknown types are ignored.
 */
public final class ServerConnection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ServerConnection.class.getName());

    /** Calls served at once on one connection; more are answered RESOURCE_EXHAUSTED. */
    public static final int MAX_ACTIVE_CALLS = 1024;

    private final Transport transport;
    private final ServiceRegistry registry;
    private final FrameReader reader;
    private final FrameSender sender;
    private final Map<Integer, ActiveCall> calls = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Consumer<ServerConnection> onClose;
    private long lastStreamId; // reader thread only, unsigned

    private final ThreadFactory ioThreads;

    ServerConnection(Transport transport, ServiceRegistry registry, Consumer<ServerConnection> onClose,
            ThreadFactory ioThreads) {
        this.transport = transport;
        this.ioThreads = ioThreads;
        this.registry = registry;
        this.onClose = onClose;
        this.reader = new FrameReader(transport.in());
        this.sender = new FrameSender(new FrameWriter(transport.out()), "ttrpc-server-writer", _ -> close(), ioThreads);
    }

    void start() {
        Thread reader = ioThreads.newThread(this::readLoop);
        reader.setName("ttrpc-server-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Number of calls being served. */
    public int activeCalls() {
        return calls.size();
    }

    /** Waits until the connection has ended. */
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Ends the connection: running handlers are interrupted and nothing more is sent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        calls.values().forEach(ActiveCall::cancel);
        calls.clear();
        sender.close();
        try {
            transport.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "failed to close ttrpc transport", e);
        }
        done.countDown();
        onClose.accept(this);
    }

    private void readLoop() {
        try {
            while (!closed.get()) {
                Frame frame;
                try {
                    frame = reader.read();
                } catch (OversizedFrameException e) {
                    sendStatus(e.streamId(), Status.of(Code.RESOURCE_EXHAUSTED, e.getMessage()));
                    continue;
                }
                if (frame == null) {
                    break;
                }
                route(frame);
            }
        } catch (IOException e) {
            if (!closed.get()) {
                LOG.log(Level.DEBUG, "ttrpc server connection ended: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "ttrpc server connection failed", e);
        } finally {
            close();
        }
    }

    private void route(Frame frame) throws InterruptedException {
        int id = frame.streamId();
        if ((id & 1) == 0) {
            sendStatus(id, Status.of(Code.INVALID_ARGUMENT, "StreamID must be odd for client initiated streams"));
            return;
        }
        switch (frame) {
            case RequestFrame r -> onRequest(r);
            case DataFrame d -> onData(d);
            case ResponseFrame r -> LOG.log(Level.DEBUG, "ignoring response frame from client: " + r);
        }
    }

    private void onRequest(RequestFrame frame) throws InterruptedException {
        int id = frame.streamId();
        long unsignedId = Integer.toUnsignedLong(id);
        if (unsignedId <= lastStreamId) {
            sendStatus(id, Status.of(Code.INVALID_ARGUMENT, "StreamID cannot be re-used and must increment"));
            return;
        }
        lastStreamId = unsignedId;
        if (calls.size() >= MAX_ACTIVE_CALLS) {
            sendStatus(id, Status.of(Code.RESOURCE_EXHAUSTED, "too many concurrent calls on this connection (limit "
                    + MAX_ACTIVE_CALLS + ")"));
            return;
        }
        Request req;
        ServiceRegistry.Method method;
        try {
            req = Envelopes.decodeRequest(frame.payload());
            method = registry.lookup(req.service(), req.method());
        } catch (MalformedEnvelopeException e) {
            sendStatus(id, Status.of(Code.INVALID_ARGUMENT, "unmarshal request error: " + e.getMessage()));
            return;
        } catch (TtrpcException e) {
            sendStatus(id, e.status());
            return;
        }
        Instant deadline = req.timeoutNano() == 0 ? null : Instant.now().plusNanos(req.timeoutNano());
        ServerCall call = new ServerCall(req.service(), req.method(), Metadata.fromKeyValues(req.metadata()), deadline);
        switch (method) {
            case ServiceRegistry.Unary u -> {
                ActiveCall active = register(id, call, null, req.timeoutNano());
                active.startUnary(u.handler(), req.payload());
            }
            case ServiceRegistry.Streaming s -> {
                ActiveCall active = register(id, call, s.desc(), req.timeoutNano());
                // The request payload is the first message unless the client streams and sent none
                // (containerd delivers it when present or when the client does not stream).
                if (req.payload().length > 0 || !s.desc().streamingClient()) {
                    active.deliver(req.payload());
                }
                if (!s.desc().streamingClient() || frame.hasFlag(Flags.REMOTE_CLOSED)) {
                    active.closeRemote();
                }
                active.startStream(s.handler());
            }
        }
    }

    private ActiveCall register(int id, ServerCall call, StreamDesc desc, long timeoutNano) {
        ActiveCall active = new ActiveCall(this, id, call, desc);
        calls.put(id, active);
        active.startDeadline(timeoutNano);
        return active;
    }

    private void onData(DataFrame frame) throws InterruptedException {
        int id = frame.streamId();
        ActiveCall active = calls.get(id);
        if (active == null) {
            sendStatus(id, Status.of(Code.INVALID_ARGUMENT, "StreamID is no longer active"));
            return;
        }
        if (!active.streamingClient()) {
            active.abort(Status.of(Code.INVALID_ARGUMENT, "data on a stream whose client does not stream"));
            return;
        }
        if (!frame.hasFlag(Flags.NO_DATA)) {
            active.deliver(frame.payload());
        }
        if (frame.hasFlag(Flags.REMOTE_CLOSED)) {
            active.closeRemote();
        }
    }

    /**
     * An error Response on a stream that has no call (bad id, bad request, oversized frame). The
     * reader waits until it is written, so a peer that floods bad frames without reading the
     * answers is slowed down instead of growing the send queue (containerd's reader also blocks).
     */
    private void sendStatus(int streamId, Status status) throws InterruptedException {
        byte[] body = Envelopes.encode(new Response(status.toProto(), new byte[0]));
        try {
            FrameSender.await(sender.enqueue(new ResponseFrame(streamId, 0, body)));
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "failed to send error status: " + e.getMessage());
        }
    }

    /** Queues a frame of a call that is still open; called under the call's lock. */
    CompletableFuture<Void> enqueueIfOpen(ActiveCall call, Frame frame) throws TtrpcException {
        synchronized (call) {
            if (call.isFinished()) {
                throw new TtrpcException(Code.FAILED_PRECONDITION, "stream " + Integer.toUnsignedString(call.streamId())
                        + " is already finished");
            }
            return sender.enqueue(frame);
        }
    }

    /** Queues a call's final frame (called once, under the call's lock) and forgets the call. */
    void finish(ActiveCall call, Frame last) {
        calls.remove(call.streamId(), call);
        sender.enqueue(last).whenComplete((_, e) -> {
            if (e instanceof OversizedFrameException o) {
                byte[] body = Envelopes.encode(new Response(
                        Status.of(Code.RESOURCE_EXHAUSTED, o.getMessage()).toProto(), new byte[0]));
                sender.enqueue(new ResponseFrame(call.streamId(), 0, body));
            }
        });
    }
}
