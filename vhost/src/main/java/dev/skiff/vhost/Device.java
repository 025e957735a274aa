package dev.skiff.vhost;

/**
 * What a virtio device tells the back-end: its own feature bits, its config space and its queues.
 * The back-end adds the ring features it implements ({@link VhostUser#RING_FEATURES}).
 */
public interface Device {
    /** Device-specific virtio feature bits (for virtio-fs: none are needed). */
    long features();

    /**
     * The config space, read by GET_CONFIG. For virtio-fs ("Device configuration layout"):
     * {@code char tag[36]; le32 num_request_queues; le32 notify_buf_size}.
     */
    byte[] config();

    /** How many queues the front-end may set up (virtio-fs: 1 hiprio + the request queues). */
    int queueCount();

    /** The handler of queue {@code index}, asked once per session and queue. */
    QueueHandler handler(int index);
}
