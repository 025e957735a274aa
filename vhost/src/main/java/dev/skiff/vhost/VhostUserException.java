package dev.skiff.vhost;

import java.io.IOException;

/**
 * A front-end message this back-end refuses. It ends the session: vhost-user has no error reply
 * for most requests, and QEMU treats a dropped connection as a failed device.
 */
public final class VhostUserException extends IOException {
    /** Why a message was refused. */
    public enum Kind {
        /** A request number this back-end does not serve (or did not offer). */
        UNKNOWN_REQUEST,
        /** A payload larger than {@link Limits#MAX_PAYLOAD}, or more descriptors than fit. */
        TOO_LONG,
        /** The connection ended inside a message. */
        TRUNCATED,
        /** A payload of the wrong size or with impossible values. */
        MALFORMED,
        /** Not the descriptors the message needs. */
        WRONG_FDS,
        /** A message that is well formed but not valid now (unknown queue, features not offered, ...). */
        INVALID_STATE
    }

    private final Kind kind;

    public VhostUserException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public VhostUserException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
