package dev.skiff.virtiofs.server;

import java.time.Duration;

/**
 * How long the guest kernel may trust what we tell it: {@code entry} for a name's lookup,
 * {@code attr} for attributes. The default is zero for both: the host and containers in other VMs
 * write the same folders, and a cached entry or size there is a wrong answer (a stale size cuts
 * reads short). Coherence first; a read-only image layer may use longer timeouts.
 */
public record CachePolicy(Duration entry, Duration attr) {
    public static final CachePolicy COHERENT = new CachePolicy(Duration.ZERO, Duration.ZERO);

    public CachePolicy {
        if (entry.isNegative() || attr.isNegative()) {
            throw new IllegalArgumentException("negative timeout: " + entry + ", " + attr);
        }
    }

    long entryNanos() {
        return entry.toNanos();
    }

    long attrNanos() {
        return attr.toNanos();
    }
}
