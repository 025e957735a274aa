package dev.skiff.engine.network.fabric;

import java.util.Map;

/**
 * A snapshot of a segment's counters, for logs and tests. {@code forwarded} counts unicast frames
 * handed to a port, {@code flooded} broadcast and multicast frames (once each, whatever the
 * number of ports), {@code answered} the ARP and DNS replies of the DNS endpoint.
 */
public record SegmentCounters(long received, long forwarded, long flooded, long answered, Map<DropReason, Long> dropped) {
    public SegmentCounters {
        dropped = Map.copyOf(dropped);
    }

    public long dropped(DropReason reason) {
        return dropped.getOrDefault(reason, 0L);
    }

    public long droppedTotal() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }
}
