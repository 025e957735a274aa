package dev.skiff.ttrpc;

import java.util.Objects;

/**
 * A call that did not succeed: the peer answered with a non-OK status, or the call failed
 * locally (deadline, cancellation, oversized message, closed connection).
 */
public class TtrpcException extends Exception {
    private final Status status;

    public TtrpcException(Status status) {
        this(status, null);
    }

    public TtrpcException(Status status, Throwable cause) {
        super(status.code() + ": " + status.message(), cause);
        this.status = Objects.requireNonNull(status, "status");
        if (status.isOk()) {
            throw new IllegalArgumentException("an OK status is not an error");
        }
    }

    /** Shorthand for {@code new TtrpcException(Status.of(code, message))}. */
    public TtrpcException(Code code, String message) {
        this(Status.of(code, message));
    }

    public Status status() {
        return status;
    }

    public Code code() {
        return status.code();
    }
}
