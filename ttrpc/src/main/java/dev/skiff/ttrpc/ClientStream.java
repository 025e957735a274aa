package dev.skiff.ttrpc;

import dev.skiff.ttrpc.codec.Envelopes;
import dev.skiff.ttrpc.codec.MalformedEnvelopeException;
import dev.skiff.ttrpc.codec.Response;
import dev.skiff.ttrpc.frame.DataFrame;
import dev.skiff.ttrpc.frame.Flags;
import dev.skiff.ttrpc.frame.Frame;
import dev.skiff.ttrpc.frame.OversizedFrameException;
import dev.skiff.ttrpc.frame.RequestFrame;
import dev.skiff.ttrpc.frame.ResponseFrame;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client's side of one stream: a unary call or a streaming call from
 * {@link Client#newStream}. {@link #send} and {@link #closeSend} are for a streaming client;
 * {@link #recv} returns the server's messages until the stream ends.
 *
 * <p>Threads: one thread may send (and close the sending side) while another receives, as a
 * stdio relay does; {@link #close} may be called from any thread and wakes a blocked
 * {@link #recv}. Two threads must not send at once, nor receive at once.
 */
public final class ClientStream implements AutoCloseable {
    /** Buffered inbound frames per stream; a peer that floods a stream fails only that stream. */
    static final int RECV_BUFFER = 64;

    private sealed interface Inbound permits Received, Failed {}

    private record Received(Frame frame) implements Inbound {}

    private record Failed(TtrpcException error) implements Inbound {}

    private final Client client;
    private final int id;
    private final String route;
    private final StreamDesc desc; // null for unary
    private final Instant deadline; // null for none
    private final LinkedBlockingQueue<Inbound> inbound = new LinkedBlockingQueue<>(RECV_BUFFER);
    private volatile boolean localClosed;
    private volatile boolean remoteClosed;
    private volatile TtrpcException failure; // sticky

    ClientStream(Client client, int id, String route, StreamDesc desc, Instant deadline) {
        this.client = client;
        this.id = id;
        this.route = route;
        this.desc = desc;
        this.deadline = deadline;
        this.localClosed = desc == null || !desc.streamingClient();
    }

    /** The stream id (odd, unsigned 32-bit). */
    public int id() {
        return id;
    }

    /** Sends one message (streaming client only). */
    public void send(byte[] message) throws TtrpcException {
        if (desc == null || !desc.streamingClient()) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, "cannot send data from a non-streaming client on " + route);
        }
        if (localClosed) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, "ttrpc: stream closed for sending on " + route);
        }
        awaitSent(client.enqueue(new DataFrame(id, 0, message)));
    }

    /** Tells the server no more messages follow (Data with {@code remote closed | no data}). */
    public void closeSend() throws TtrpcException {
        if (localClosed) {
            return;
        }
        localClosed = true;
        awaitSent(client.enqueue(new DataFrame(id, Flags.REMOTE_CLOSED | Flags.NO_DATA, new byte[0])));
    }

    /**
     * The next message from the server, or empty when the stream has ended normally.
     *
     * @throws TtrpcException the server's error status, DEADLINE_EXCEEDED, CANCELLED or
     *     {@link ConnectionClosedException}
     */
    public Optional<byte[]> recv() throws TtrpcException {
        if (failure != null) {
            throw failure;
        }
        if (remoteClosed) {
            return Optional.empty();
        }
        Frame frame = next();
        return switch (frame) {
            case ResponseFrame r -> {
                remoteClosed = true;
                forget();
                yield Optional.of(decode(r));
            }
            case DataFrame d -> {
                if (desc == null || !desc.streamingServer()) {
                    throw sticky(new TtrpcException(Code.INTERNAL, "ttrpc: received data from a non-streaming server on " + route));
                }
                if (d.hasFlag(Flags.REMOTE_CLOSED)) {
                    remoteClosed = true;
                    forget();
                    if (d.hasFlag(Flags.NO_DATA)) {
                        yield Optional.empty();
                    }
                }
                yield Optional.of(d.payload());
            }
            case RequestFrame r -> throw sticky(new TtrpcException(Code.INTERNAL, "ttrpc: unexpected request frame " + r));
        };
    }

    /**
     * Abandons the stream: later frames for it are dropped and a blocked {@link #recv} fails with
     * CANCELLED. ttrpc has no frame to cancel a stream, so the server is not told; a call with a
     * timeout is ended by the server at its deadline. A no-op once the stream has ended.
     */
    @Override
    public void close() {
        client.forget(this);
        if (!remoteClosed && failure == null) {
            failNow(new TtrpcException(Code.CANCELLED, "ttrpc: stream " + route + " closed locally"));
        }
    }

    private void forget() {
        client.forget(this);
    }

    /** Unary: the single Response. */
    byte[] recvResponse() throws TtrpcException {
        Frame frame = next();
        if (frame instanceof ResponseFrame r) {
            remoteClosed = true;
            return decode(r);
        }
        throw sticky(new TtrpcException(Code.INTERNAL, "ttrpc: expected a response on " + route + ", got " + frame));
    }

    private byte[] decode(ResponseFrame r) throws TtrpcException {
        Response resp;
        try {
            resp = Envelopes.decodeResponse(r.payload());
        } catch (MalformedEnvelopeException e) {
            throw sticky(new TtrpcException(Status.of(Code.INTERNAL, "failed to decode response of " + route + ": "
                    + e.getMessage()), e));
        }
        Status status = Status.fromProto(resp.status());
        if (!status.isOk()) {
            throw sticky(new TtrpcException(status));
        }
        return resp.payload();
    }

    private Frame next() throws TtrpcException {
        Inbound in;
        try {
            if (deadline == null) {
                in = inbound.take();
            } else {
                long nanos = Duration.between(Instant.now(), deadline).toNanos();
                in = nanos <= 0 ? inbound.poll() : inbound.poll(nanos, TimeUnit.NANOSECONDS);
                if (in == null) {
                    forget();
                    throw sticky(new TtrpcException(Code.DEADLINE_EXCEEDED, "context deadline exceeded"));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            forget();
            throw sticky(new TtrpcException(Status.of(Code.CANCELLED, "interrupted while waiting for " + route), e));
        }
        return switch (in) {
            case Received r -> r.frame();
            case Failed f -> throw sticky(f.error());
        };
    }

    private TtrpcException sticky(TtrpcException e) {
        failure = e;
        forget();
        return e;
    }

    void awaitSent(CompletableFuture<Void> sent) throws TtrpcException {
        try {
            FrameSender.await(sent);
        } catch (OversizedFrameException e) {
            throw sticky(new TtrpcException(Status.of(Code.RESOURCE_EXHAUSTED, e.getMessage()), e));
        } catch (IOException e) {
            ConnectionClosedException c = client.closedBy();
            throw sticky(c != null ? c
                    : new ConnectionClosedException("ttrpc: failed to send on " + route + ": " + e.getMessage(), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw sticky(new TtrpcException(Status.of(Code.CANCELLED, "interrupted while sending " + route), e));
        }
    }

    /** Reader thread: a frame for this stream. */
    void receive(Frame frame) throws InterruptedException {
        if (!inbound.offer(new Received(frame)) && !inbound.offer(new Received(frame), 1, TimeUnit.SECONDS)) {
            client.forget(this);
            failNow(new TtrpcException(Code.RESOURCE_EXHAUSTED, "ttrpc: stream buffer full on " + route));
        }
    }

    /** Any thread: the stream failed without a frame (connection closed, oversized frame). */
    void fail(TtrpcException e) {
        client.forget(this);
        failNow(e);
    }

    private void failNow(TtrpcException e) {
        // Make room if needed: a failure must always reach the reader of the stream.
        while (!inbound.offer(new Failed(e))) {
            inbound.poll();
        }
    }
}
