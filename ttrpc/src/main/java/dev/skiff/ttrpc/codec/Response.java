package dev.skiff.ttrpc.codec;

import java.util.Objects;

/**
 * {@code ttrpc.Response}: the call's status and the encoded response message. {@code status} is
 * {@code null} when the field is absent on the wire, which peers treat as OK.
 */
public record Response(RpcStatus status, byte[] payload) {
    public Response {
        Objects.requireNonNull(payload, "payload");
    }
}
