package dev.skiff.vhost;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The test device: virtio-fs's config layout and queue count, and queues that answer each
 * request with its readable bytes upper-cased (ASCII), written across the writable segments.
 */
final class EchoDevice implements Device {
    static final String TAG = "skiff-test";
    final AtomicInteger handled = new AtomicInteger();
    final CompletableFuture<VirtqueueException> fault = new CompletableFuture<>();

    @Override
    public long features() {
        return 0;
    }

    /** virtio-fs: char tag[36]; le32 num_request_queues; le32 notify_buf_size. */
    @Override
    public byte[] config() {
        ByteBuffer b = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Arrays.copyOf(TAG.getBytes(StandardCharsets.UTF_8), 36)).putInt(1).putInt(0);
        return b.array();
    }

    @Override
    public int queueCount() {
        return 2;
    }

    @Override
    public QueueHandler handler(int index) {
        return new QueueHandler() {
            @Override
            public void handle(Request request) {
                handled.incrementAndGet();
                byte[] in = new byte[(int) request.readableBytes()];
                int at = 0;
                for (MemorySegment s : request.readable()) {
                    MemorySegment.copy(s, ValueLayout.JAVA_BYTE, 0, in, at, (int) s.byteSize());
                    at += (int) s.byteSize();
                }
                byte[] out = new String(in, StandardCharsets.US_ASCII).toUpperCase().getBytes(StandardCharsets.US_ASCII);
                int written = 0;
                for (MemorySegment s : request.writable()) {
                    int n = (int) Math.min(s.byteSize(), out.length - written);
                    MemorySegment.copy(out, written, s, ValueLayout.JAVA_BYTE, 0, n);
                    written += n;
                }
                request.complete(written);
            }

            @Override
            public void fault(int queueIndex, VirtqueueException e) {
                fault.complete(e);
            }
        };
    }
}
