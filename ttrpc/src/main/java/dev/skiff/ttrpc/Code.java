package dev.skiff.ttrpc;

/** gRPC status codes, as carried in {@code google.rpc.Status.code} (grpc/codes/codes.go). */
public enum Code {
    OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND, ALREADY_EXISTS,
    PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE,
    UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, UNAUTHENTICATED;

    private static final Code[] VALUES = values();

    /** The wire number of this code (its ordinal, by construction). */
    public int value() {
        return ordinal();
    }

    /** The code for a wire number; numbers outside 0..16 become {@link #UNKNOWN}, as in grpc-go. */
    public static Code of(int value) {
        return value >= 0 && value < VALUES.length ? VALUES[value] : UNKNOWN;
    }
}
