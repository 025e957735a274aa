package dev.skiff.ttrpc;

import dev.skiff.ttrpc.codec.RpcStatus;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a call: a gRPC code, a message for a person, and optional typed details
 * ({@code google.rpc.Status}).
 */
public record Status(Code code, String message, List<RpcStatus.Detail> details) {
    /** A successful outcome. */
    public static final Status OK = new Status(Code.OK, "", List.of());

    public Status {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        details = List.copyOf(details);
    }

    /** A status without details. */
    public static Status of(Code code, String message) {
        return new Status(code, message, List.of());
    }

    /** Whether the code is {@link Code#OK}. */
    public boolean isOk() {
        return code == Code.OK;
    }

    /** This status as an exception to throw. */
    public TtrpcException asException() {
        return new TtrpcException(this);
    }

    /** The wire form. */
    public RpcStatus toProto() {
        return new RpcStatus(code.value(), message, details);
    }

    /** From the wire form; an absent status ({@code null}) means OK, as in containerd's client. */
    public static Status fromProto(RpcStatus proto) {
        return proto == null ? OK : new Status(Code.of(proto.code()), proto.message(), proto.details());
    }

    @Override
    public String toString() {
        return "ttrpc: code = " + code + " desc = " + message;
    }
}
