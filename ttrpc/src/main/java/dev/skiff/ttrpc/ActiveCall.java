package dev.skiff.ttrpc;

import dev.skiff.ttrpc.codec.Envelopes;
import dev.skiff.ttrpc.codec.Response;
import dev.skiff.ttrpc.frame.DataFrame;
import dev.skiff.ttrpc.frame.Flags;
import dev.skiff.ttrpc.frame.FrameHeader;
import dev.skiff.ttrpc.frame.ResponseFrame;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One call being served on a connection, from its Request frame until the final Response (or
 * final Data frame). The handler runs on its own virtual thread; the connection's reader delivers
 * inbound Data; a timer fires the deadline. Exactly one of them finishes the call, under this
 * object's lock, and only the winner sends the final frame.
 */
final class ActiveCall implements ServerStream {
    /** Buffered inbound messages per stream, as containerd's {@code streamRecvBufferSize}. */
    static final int RECV_BUFFER = 64;

    private static final byte[] END = new byte[0]; // identity marks the client's close
    private static final byte[] OVER = new byte[0]; // identity wakes a receiver once the call is over

    private final ServerConnection conn;
    private final int streamId;
    private final ServerCall call;
    private final StreamDesc desc; // null for unary
    private final LinkedBlockingQueue<byte[]> inbound = new LinkedBlockingQueue<>(RECV_BUFFER);
    private boolean finished; // guarded by this
    private boolean remoteClosed; // reader thread only
    private Thread handlerThread; // guarded by this
    private ScheduledFuture<?> timer; // guarded by this

    ActiveCall(ServerConnection conn, int streamId, ServerCall call, StreamDesc desc) {
        this.conn = conn;
        this.streamId = streamId;
        this.call = call;
        this.desc = desc;
    }

    int streamId() {
        return streamId;
    }

    boolean streamingClient() {
        return desc != null && desc.streamingClient();
    }

    /** Starts the deadline timer, if the request carried one. */
    synchronized void startDeadline(long timeoutNano) {
        if (timeoutNano != 0 && !finished) {
            timer = Deadlines.schedule(Duration.ofNanos(timeoutNano), this::expire);
        }
    }

    /** Runs a unary handler on a new virtual thread. */
    void startUnary(UnaryHandler handler, byte[] request) {
        Thread.ofVirtual().name("ttrpc-call-" + Integer.toUnsignedString(streamId)).start(() -> {
            if (!attach()) {
                return;
            }
            try {
                byte[] out = handler.handle(call, request);
                finish(Status.OK, out == null ? new byte[0] : out, false);
            } catch (Throwable t) {
                finish(StatusMapper.toStatus(t), new byte[0], false);
            }
        });
    }

    /** Runs a stream handler on a new virtual thread. */
    void startStream(StreamHandler handler) {
        Thread.ofVirtual().name("ttrpc-stream-" + Integer.toUnsignedString(streamId)).start(() -> {
            if (!attach()) {
                return;
            }
            try {
                byte[] out = handler.handle(call, this);
                finish(Status.OK, out, desc.streamingServer());
            } catch (Throwable t) {
                finish(StatusMapper.toStatus(t), new byte[0], false);
            }
        });
    }

    private synchronized boolean attach() {
        handlerThread = Thread.currentThread();
        return !finished;
    }

    /** Reader thread: one inbound message. Fails the call if the handler does not keep up. */
    void deliver(byte[] message) throws InterruptedException {
        if (remoteClosed) {
            abort(Status.of(Code.INVALID_ARGUMENT, "data after the client closed stream "
                    + Integer.toUnsignedString(streamId)));
            return;
        }
        // Like containerd: wait up to a second for room, then give up on this stream only.
        if (!inbound.offer(message) && !inbound.offer(message, 1, TimeUnit.SECONDS)) {
            abort(Status.of(Code.RESOURCE_EXHAUSTED, "ttrpc: stream buffer full"));
        }
    }

    /** Reader thread: the client closed its side. */
    void closeRemote() throws InterruptedException {
        if (!remoteClosed) {
            remoteClosed = true;
            if (!inbound.offer(END, 1, TimeUnit.SECONDS)) {
                abort(Status.of(Code.RESOURCE_EXHAUSTED, "ttrpc: stream buffer full"));
            }
        }
    }

    @Override
    public Optional<byte[]> recv() throws TtrpcException, InterruptedException {
        checkOpen();
        byte[] m = inbound.take();
        if (m == END || m == OVER) {
            inbound.offer(m); // every later recv sees it too
            if (m == OVER) {
                checkOpen();
            }
            return Optional.empty();
        }
        return Optional.of(m);
    }

    /** Wakes a thread blocked in {@link #recv} (which may not be the handler thread) once the call is over. */
    private void wakeReceivers() {
        inbound.clear();
        inbound.offer(OVER);
    }

    @Override
    public void send(byte[] message) throws TtrpcException {
        if (desc == null || !desc.streamingServer()) {
            throw new TtrpcException(Code.FAILED_PRECONDITION, "cannot send data from a non-streaming server on " + call);
        }
        if (message.length > FrameHeader.MAX_DATA_LENGTH) {
            throw new TtrpcException(Code.RESOURCE_EXHAUSTED, "message length " + message.length
                    + " exceeds maximum message size of " + FrameHeader.MAX_DATA_LENGTH);
        }
        var done = conn.enqueueIfOpen(this, new DataFrame(streamId, 0, message));
        try {
            FrameSender.await(done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TtrpcException(Status.of(Code.CANCELLED, "interrupted while sending on " + call), e);
        } catch (IOException e) {
            throw new ConnectionClosedException("failed to send data on " + call + ": " + e.getMessage(), e);
        }
    }

    private void checkOpen() throws TtrpcException {
        synchronized (this) {
            if (finished) {
                throw new TtrpcException(call.isCancelled()
                        ? Status.of(Code.CANCELLED, "call " + call + " is over")
                        : Status.of(Code.FAILED_PRECONDITION, "call " + call + " already finished"));
            }
        }
    }

    /** Whether the call is over; enqueueing a frame must happen under the same lock. */
    synchronized boolean isFinished() {
        return finished;
    }

    private void expire() {
        abort(Status.of(Code.DEADLINE_EXCEEDED, "context deadline exceeded"));
    }

    /** Answers the call without the handler and interrupts the handler. */
    void abort(Status status) {
        if (finish(status, new byte[0], false)) {
            interruptHandler();
        }
    }

    /** The connection is gone: end the call without sending anything. */
    void cancel() {
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            if (timer != null) {
                timer.cancel(false);
            }
        }
        interruptHandler();
    }

    private void interruptHandler() {
        call.cancel();
        wakeReceivers();
        Thread t;
        synchronized (this) {
            t = handlerThread;
        }
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
        }
    }

    /**
     * Finishes the call once: a Response frame, or for a successful streaming server a Data frame
     * with {@code remote closed} (and {@code no data} when there is no final message).
     */
    private boolean finish(Status status, byte[] payload, boolean streamingServer) {
        synchronized (this) {
            if (finished) {
                return false;
            }
            finished = true;
            if (timer != null) {
                timer.cancel(false);
            }
            if (streamingServer && status.isOk()) {
                int flags = Flags.REMOTE_CLOSED | (payload == null ? Flags.NO_DATA : 0);
                conn.finish(this, new DataFrame(streamId, flags, payload == null ? new byte[0] : payload));
            } else {
                byte[] body = status.isOk() && payload != null ? payload : new byte[0];
                conn.finish(this, new ResponseFrame(streamId, 0, Envelopes.encode(new Response(status.toProto(), body))));
            }
            return true;
        }
    }
}
