package dev.skiff.ttrpc.codec;

import java.util.List;
import java.util.Objects;

/** {@code google.rpc.Status} as carried in a ttrpc Response: a gRPC code number, a message, details. */
public record RpcStatus(int code, String message, List<Detail> details) {
    public RpcStatus {
        Objects.requireNonNull(message, "message");
        details = List.copyOf(details);
    }

    /** {@code google.protobuf.Any}: a detail message and the URL naming its type. */
    public record Detail(String typeUrl, byte[] value) {
        public Detail {
            Objects.requireNonNull(typeUrl, "typeUrl");
            Objects.requireNonNull(value, "value");
        }
    }
}
