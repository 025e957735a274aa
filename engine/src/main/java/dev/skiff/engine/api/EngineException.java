package dev.skiff.engine.api;

/**
 * An engine error that crosses into the Docker API: its kind picks the HTTP status, its message
 * becomes Docker's {@code {"message": ...}} body. Messages say what to do next where they can.
 */
public final class EngineException extends Exception {
    public enum Kind {
        INVALID(400), UNAUTHORIZED(401), FORBIDDEN(403), NOT_FOUND(404), CONFLICT(409), NOT_MODIFIED(304), INTERNAL(500), NOT_IMPLEMENTED(501), UNAVAILABLE(503);

        public final int httpStatus;

        Kind(int httpStatus) {
            this.httpStatus = httpStatus;
        }
    }

    private final Kind kind;

    public EngineException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public EngineException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static EngineException notFound(String message) {
        return new EngineException(Kind.NOT_FOUND, message);
    }

    public static EngineException conflict(String message) {
        return new EngineException(Kind.CONFLICT, message);
    }

    public static EngineException invalid(String message) {
        return new EngineException(Kind.INVALID, message);
    }
}
