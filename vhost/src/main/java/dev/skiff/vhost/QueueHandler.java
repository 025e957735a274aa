package dev.skiff.vhost;

/** Serves the requests of one queue. */
public interface QueueHandler {
    /**
     * Serves one request: read its readable part, write its writable part, then
     * {@link Request#complete}, now or later from any thread. Called on the queue's worker, one
     * request at a time; a handler that blocks holds up its queue.
     */
    void handle(Request request);

    /**
     * The driver broke the ring's rules and the queue stopped ({@link VirtqueueException}); also
     * signalled on the queue's error eventfd when the front-end gave one.
     */
    default void fault(int queueIndex, VirtqueueException e) {}
}
