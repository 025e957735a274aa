package dev.skiff.ttrpc;

import dev.skiff.ttrpc.frame.Frame;
import dev.skiff.ttrpc.frame.FrameWriter;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;

/**
 * Writes a connection's frames from one dedicated virtual thread, in the order they were queued.
 *
 * <p>Why a thread of its own: interrupting a thread blocked in socket or {@code java.nio} channel
 * I/O closes the channel, so callers and handlers (which are interrupted on cancellation and
 * deadlines) never write themselves; they queue a frame and wait for its future. A single queue
 * also keeps the client's stream ids increasing on the wire. This plays the role of the
 * {@code responses} channel in containerd's {@code serverConn.run}.
 */
final class FrameSender {
    private record Item(Frame frame, CompletableFuture<Void> done) {}

    private final FrameWriter writer;
    private final Consumer<IOException> onFailure;
    private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile IOException failure;

    FrameSender(FrameWriter writer, String name, Consumer<IOException> onFailure) {
        this(writer, name, onFailure, Thread.ofVirtual().factory());
    }

    FrameSender(FrameWriter writer, String name, Consumer<IOException> onFailure, ThreadFactory threads) {
        this.writer = writer;
        this.onFailure = onFailure;
        this.thread = threads.newThread(this::run);
        thread.setName(name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a frame; the future completes when it is written, or fails with the I/O error. */
    CompletableFuture<Void> enqueue(Frame frame) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        IOException f = failure;
        if (f != null) {
            done.completeExceptionally(f);
            return done;
        }
        queue.add(new Item(frame, done));
        if (failure != null) {
            drain();
        }
        return done;
    }

    /** Queues a frame and waits until it is written. */
    void send(Frame frame) throws IOException, InterruptedException {
        await(enqueue(frame));
    }

    /** Waits for a queued frame. */
    static void await(CompletableFuture<Void> done) throws IOException, InterruptedException {
        try {
            done.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("failed to send frame: " + e.getCause(), e.getCause());
        }
    }

    /** Stops the writer thread; frames still queued fail. */
    void close() {
        fail(new IOException("connection closed"));
        thread.interrupt();
    }

    private void run() {
        try {
            while (failure == null) {
                Item item = queue.take();
                try {
                    writer.write(item.frame());
                    item.done().complete(null);
                } catch (dev.skiff.ttrpc.frame.OversizedFrameException e) {
                    item.done().completeExceptionally(e); // nothing was written; the connection is fine
                } catch (IOException e) {
                    item.done().completeExceptionally(e);
                    fail(e);
                    onFailure.accept(e);
                }
            }
        } catch (InterruptedException e) {
            // closed
        } finally {
            drain();
        }
    }

    private void fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
        drain();
    }

    private void drain() {
        IOException f = failure;
        for (Item item; (item = queue.poll()) != null; ) {
            item.done().completeExceptionally(f);
        }
    }
}
