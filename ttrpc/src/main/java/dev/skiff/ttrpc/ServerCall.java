package dev.skiff.ttrpc;

import java.time.Instant;
import java.util.Optional;

/**
 * What a handler knows about the call it serves: the route, the caller's metadata and deadline,
 * and whether the call is already over (deadline passed, connection gone).
 */
public final class ServerCall {
    private final String service;
    private final String method;
    private final Metadata metadata;
    private final Instant deadline;
    private volatile boolean cancelled;

    ServerCall(String service, String method, Metadata metadata, Instant deadline) {
        this.service = service;
        this.method = method;
        this.metadata = metadata;
        this.deadline = deadline;
    }

    public String service() {
        return service;
    }

    public String method() {
        return method;
    }

    /** The request's metadata. */
    public Metadata metadata() {
        return metadata;
    }

    /** When the caller stops waiting, from the request's {@code timeout_nano}; empty if none. */
    public Optional<Instant> deadline() {
        return Optional.ofNullable(deadline);
    }

    /** True once the call has been answered without the handler (deadline, connection closed). */
    public boolean isCancelled() {
        return cancelled;
    }

    void cancel() {
        cancelled = true;
    }

    @Override
    public String toString() {
        return "/" + service + "/" + method;
    }
}
