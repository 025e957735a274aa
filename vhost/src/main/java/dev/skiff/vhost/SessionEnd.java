package dev.skiff.vhost;

/** How a {@link BackendSession} ended; {@code cause} is null unless the kind is REFUSED or FAILED. */
public record SessionEnd(Kind kind, Exception cause) {
    public enum Kind {
        /** The front-end closed the connection between messages. */
        PEER_CLOSED,
        /** {@link BackendSession#close} was called. */
        CLOSED_LOCALLY,
        /** A message was refused ({@link VhostUserException}). */
        REFUSED,
        /** The socket failed, or the back-end or device threw unexpectedly. */
        FAILED
    }
}
