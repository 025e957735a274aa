package dev.skiff.registry;

/**
 * A registry operation that failed, worded as dockerd words it (moby's
 * {@code daemon/internal/distribution/errors.go}) with what to do next where there is something.
 */
public final class RegistryException extends Exception {
    /** How the engine maps it to an HTTP status: NOT_FOUND 404, UNAUTHORIZED 401, DENIED 403 ... */
    public enum Kind {
        /** a repository, tag, digest or platform the registry does not have */
        NOT_FOUND,
        /** credentials missing or wrong */
        UNAUTHORIZED,
        /** the registry refused the operation with these credentials (DENIED, insufficient_scope) */
        DENIED,
        /** a malformed reference, platform, manifest, or content that does not match its digest or size */
        INVALID,
        /** schema 1, an unknown manifest type, a registry that does not speak the API */
        UNSUPPORTED,
        /** no connection, TLS failure, a registry that went away, TOOMANYREQUESTS after retries */
        UNREACHABLE
    }

    private final Kind kind;

    public RegistryException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public RegistryException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
