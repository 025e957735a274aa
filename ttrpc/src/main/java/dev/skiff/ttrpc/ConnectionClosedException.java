package dev.skiff.ttrpc;

/**
 * The connection ended (peer went away, transport failed, or it was closed locally) before the
 * call finished. Code {@link Code#UNAVAILABLE}; the cause, when there is one, is the I/O error.
 */
public final class ConnectionClosedException extends TtrpcException {
    public ConnectionClosedException(String message, Throwable cause) {
        super(Status.of(Code.UNAVAILABLE, message), cause);
    }
}
