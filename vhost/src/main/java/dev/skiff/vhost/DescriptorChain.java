package dev.skiff.vhost;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * One buffer the driver made available: the head index it is returned under, its device-readable
 * part then its device-writable part ("Message Framing": readable descriptors come first). Each
 * segment is bounded to exactly its descriptor's bytes in guest memory.
 */
public record DescriptorChain(int head, List<MemorySegment> readable, List<MemorySegment> writable) {
    public DescriptorChain {
        readable = List.copyOf(readable);
        writable = List.copyOf(writable);
    }

    public long readableBytes() {
        return readable.stream().mapToLong(MemorySegment::byteSize).sum();
    }

    public long writableBytes() {
        return writable.stream().mapToLong(MemorySegment::byteSize).sum();
    }
}
