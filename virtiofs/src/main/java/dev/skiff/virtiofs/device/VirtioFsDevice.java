package dev.skiff.virtiofs.device;

import dev.skiff.vhost.Device;
import dev.skiff.vhost.QueueHandler;
import dev.skiff.virtiofs.server.FuseSession;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * The virtio-fs device (virtio spec "File System Device"): config space {@code tag[36]},
 * {@code num_request_queues} (1) and {@code notify_buf_size} (0, no notification queue); queue 0
 * is hiprio (FORGET, BATCH_FORGET), queue 1 the request queue.
 *
 * <p>Hiprio requests are served on the queue's own worker: they are cheap and have no reply. Each
 * request of queue 1 is served on a virtual thread of its own, at most {@code maxInFlight} at
 * once: when all are busy the queue worker waits for one to end, which is the back-pressure on
 * the guest (the ring fills, the guest waits).
 */
public final class VirtioFsDevice implements Device {
    private static final System.Logger LOG = System.getLogger("dev.skiff.virtiofs");

    /** The tag's room in config space. */
    public static final int TAG_SIZE = 36;
    static final int HIPRIO = 0, REQUESTS = 1;

    private final byte[] tag;
    private final FuseSession session;
    private final Semaphore inFlight;
    private volatile boolean closed;

    /** @throws IllegalArgumentException if the tag is empty or longer than 36 bytes of UTF-8 */
    public VirtioFsDevice(String tag, FuseSession session) {
        byte[] t = tag.getBytes(StandardCharsets.UTF_8);
        if (t.length == 0 || t.length > TAG_SIZE || tag.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("virtio-fs tag must be 1 to " + TAG_SIZE + " bytes without NUL: " + tag);
        }
        this.tag = t;
        this.session = session;
        this.inFlight = new Semaphore(session.limits().maxInFlight());
    }

    @Override
    public long features() {
        return 0;
    }

    @Override
    public byte[] config() {
        return ByteBuffer.allocate(TAG_SIZE + 8).order(ByteOrder.LITTLE_ENDIAN)
                .put(Arrays.copyOf(tag, TAG_SIZE)).putInt(1).putInt(0).array();
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public QueueHandler handler(int index) {
        return index == HIPRIO
                ? r -> serve(r.readable(), r.writable(), r::complete)
                : r -> {
                    if (mayBlock(r.readable())) {
                        submit(r.readable(), r.writable(), r::complete);
                    } else {
                        serve(r.readable(), r.writable(), r::complete);
                    }
                };
    }

    /**
     * Whether a request may wait for something outside the server: a blocking lock (SETLKW) waits
     * for another holder. It gets a virtual thread of its own; every other request is a few system
     * calls on local files and is served on the queue's worker, which saves a thread hand-off per
     * request (the guest waits on each one). The opcode is peeked from the guest's memory only to
     * choose the thread; the request is copied and checked as any other when it is served.
     */
    private static boolean mayBlock(List<MemorySegment> readable) {
        if (readable.isEmpty() || readable.getFirst().byteSize() < 8) {
            return false;
        }
        int opcode = readable.getFirst().get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4);
        return opcode == dev.skiff.virtiofs.wire.Fuse.SETLKW;
    }

    /** Stops taking requests: a queue worker waiting for a permit gives up. */
    public void close() {
        closed = true;
    }

    /**
     * Serves one request of the request queue on a virtual thread, once one of the
     * {@code maxInFlight} permits is free; the caller (the queue worker) waits for it meanwhile.
     */
    void submit(List<MemorySegment> readable, List<MemorySegment> writable, IntConsumer complete) {
        try {
            while (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                if (closed) {
                    return; // the session is ending; the ring goes with it
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Thread.ofVirtual().name("virtiofs-request").start(() -> {
            try {
                serve(readable, writable, complete);
            } finally {
                inFlight.release();
            }
        });
    }

    private void serve(List<MemorySegment> readable, List<MemorySegment> writable, IntConsumer complete) {
        try {
            complete.accept(session.serve(readable, writable));
        } catch (RuntimeException e) {
            // the ring was reset under us (GET_VRING_BASE, a new memory table): nothing to answer
            LOG.log(System.Logger.Level.DEBUG, "FUSE reply dropped: " + e.getMessage());
        }
    }
}
