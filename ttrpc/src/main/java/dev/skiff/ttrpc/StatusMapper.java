package dev.skiff.ttrpc;

import dev.skiff.ttrpc.codec.MalformedEnvelopeException;
import dev.skiff.ttrpc.frame.OversizedFrameException;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * The one place where an exception becomes a status on the wire, in the spirit of containerd's
 * {@code convertCode} (services.go). Handlers that want a precise code throw
 * {@link TtrpcException}; everything else is mapped here, keeping the exception's message.
 */
public final class StatusMapper {
    private StatusMapper() {}

    /** The status to send for a handler failure. */
    public static Status toStatus(Throwable t) {
        if (t instanceof TtrpcException e) {
            return e.status();
        }
        Code code = switch (t) {
            case InterruptedException _, CancellationException _ -> Code.CANCELLED;
            case TimeoutException _ -> Code.DEADLINE_EXCEEDED;
            case OversizedFrameException _ -> Code.RESOURCE_EXHAUSTED;
            case MalformedEnvelopeException _, IllegalArgumentException _ -> Code.INVALID_ARGUMENT;
            case NoSuchFileException _, FileNotFoundException _ -> Code.NOT_FOUND;
            case FileAlreadyExistsException _ -> Code.ALREADY_EXISTS;
            case AccessDeniedException _, SecurityException _ -> Code.PERMISSION_DENIED;
            case EOFException _ -> Code.OUT_OF_RANGE;
            case IllegalStateException _ -> Code.FAILED_PRECONDITION;
            case UnsupportedOperationException _ -> Code.UNIMPLEMENTED;
            default -> Code.UNKNOWN;
        };
        String message = t.getMessage() != null ? t.getMessage() : t.getClass().getName();
        return Status.of(code, message);
    }
}
