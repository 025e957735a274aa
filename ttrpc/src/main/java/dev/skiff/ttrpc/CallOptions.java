package dev.skiff.ttrpc;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-call options of the client: a timeout (sent as {@code timeout_nano} and enforced locally;
 * {@code null} means none) and metadata.
 */
public record CallOptions(Duration timeout, Metadata metadata) {
    /** No timeout, no metadata. */
    public static final CallOptions DEFAULT = new CallOptions(null, Metadata.EMPTY);

    public CallOptions {
        Objects.requireNonNull(metadata, "metadata");
    }

    public static CallOptions timeout(Duration timeout) {
        return DEFAULT.withTimeout(timeout);
    }

    public CallOptions withTimeout(Duration timeout) {
        return new CallOptions(timeout, metadata);
    }

    public CallOptions withMetadata(Metadata metadata) {
        return new CallOptions(timeout, metadata);
    }
}
