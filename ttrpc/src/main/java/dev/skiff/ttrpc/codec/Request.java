package dev.skiff.ttrpc.codec;

import java.util.List;
import java.util.Objects;

/**
 * {@code ttrpc.Request}: routes a call to {@code service}/{@code method}, carries the encoded
 * request message, the caller's remaining time in nanoseconds (0 = no deadline) and metadata.
 */
public record Request(String service, String method, byte[] payload, long timeoutNano, List<KeyValue> metadata) {
    public Request {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(payload, "payload");
        metadata = List.copyOf(metadata);
    }
}
