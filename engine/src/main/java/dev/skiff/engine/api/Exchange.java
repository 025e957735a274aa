package dev.skiff.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * One request being served: the parsed request, its path parameters, the reply, and the raw
 * connection input for hijacked streams. The query readers follow dockerd's
 * ({@code httputils.BoolValue}, {@code strconv.Atoi}): a malformed value is a 400.
 */
final class Exchange {
    /** How often a hijacked stream looks whether its client has hung up ({@link #clientHungUp}). */
    static final Duration HANG_UP_CHECK = Duration.ofMillis(500);

    private final HttpRequest request;
    private final HttpResponse response;
    private final Map<String, String> pathParams;
    private final InputStream connectionInput;
    private final BooleanSupplier hungUp;

    Exchange(HttpRequest request, HttpResponse response, Map<String, String> pathParams,
             InputStream connectionInput, BooleanSupplier hungUp) {
        this.request = request;
        this.response = response;
        this.pathParams = pathParams;
        this.connectionInput = connectionInput;
        this.hungUp = hungUp;
    }

    HttpRequest request() {
        return request;
    }

    HttpResponse response() {
        return response;
    }

    /** The bytes the client sends after the request, once the connection is hijacked. */
    InputStream connectionInput() {
        return connectionInput;
    }

    /**
     * Completes when the client closes its side of the connection (or it breaks), found by reading
     * it in the background as Go's server does, so that a reply which idles until something happens
     * (events, wait) ends when nobody waits for it any more, instead of holding a connection slot
     * until its next write. The reply then closes the connection (and says so in its head, so call
     * this before sending it): a client sends nothing after these requests, and what it sends is
     * read here, so no next request could follow.
     */
    CompletableFuture<Void> clientGone() {
        response.closeAfter();
        CompletableFuture<Void> gone = new CompletableFuture<>();
        Thread.ofVirtual().name("skiff-api-gone").start(() -> {
            try {
                while (connectionInput.read() >= 0) {
                    // nothing is expected here; whatever comes is dropped
                }
            } catch (IOException e) {
                // a broken or closed connection: the client is gone all the same
            }
            gone.complete(null);
        });
        return gone;
    }

    /**
     * Completes when the client has closed the connection both ways, which a half-close does not
     * do, so that a hijacked stream (attach, exec start) whose client went while the process printed
     * nothing ends at once rather than at its next write. Unlike {@link #clientGone} it reads
     * nothing: the client's half-close (its stdin ended) leaves its read side open, and the bytes it
     * sends are the process's stdin. The connection is looked at every {@link #HANG_UP_CHECK}, without
     * waiting in a system call (a virtual thread's carrier is not held); the looking stops when the
     * returned future is completed or cancelled by the caller. Never completes where a hang-up
     * cannot be seen ({@link HttpConnection#hungUp}).
     */
    CompletableFuture<Void> clientHungUp() {
        CompletableFuture<Void> gone = new CompletableFuture<>();
        Thread.ofVirtual().name("skiff-api-hangup").start(() -> {
            try {
                while (!gone.isDone()) {
                    if (hungUp.getAsBoolean()) {
                        gone.complete(null);
                        return;
                    }
                    Thread.sleep(HANG_UP_CHECK);
                }
            } catch (InterruptedException e) {
                gone.cancel(false);
            }
        });
        return gone;
    }

    String path(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalArgumentException("route has no path parameter " + name);
        }
        return value;
    }

    /** The first value of a query parameter, or null. */
    String query(String name) {
        List<String> values = request.query().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    List<String> queryAll(String name) {
        return request.query().getOrDefault(name, List.of());
    }

    /** dockerd's BoolValue: absent, "", "0", "no", "false" and "none" are false; anything else true. */
    boolean queryBool(String name) {
        String v = query(name);
        if (v == null) {
            return false;
        }
        v = v.trim().toLowerCase();
        return !(v.isEmpty() || v.equals("0") || v.equals("no") || v.equals("false") || v.equals("none"));
    }

    /** Like {@link #queryBool} but with a default when the parameter is absent. */
    boolean queryBool(String name, boolean absent) {
        return query(name) == null ? absent : queryBool(name);
    }

    /** An integer parameter, or null when absent or empty. */
    Integer queryInt(String name) throws EngineException {
        String v = query(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid value for " + name + ": " + v + " is not an integer");
        }
    }

    /** A Unix timestamp parameter ("1700000000" or "1700000000.123456789"), or null. */
    Instant queryTime(String name) throws EngineException {
        String v = query(name);
        if (v == null || v.isEmpty() || v.equals("0")) {
            return null;
        }
        try {
            String[] parts = v.trim().split("\\.", 2);
            long seconds = Long.parseLong(parts[0]);
            long nanos = parts.length == 1 ? 0 : Long.parseLong((parts[1] + "000000000").substring(0, 9));
            return Instant.ofEpochSecond(seconds, nanos);
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid value for " + name + ": " + v + " is not a Unix timestamp");
        }
    }

    JsonNode readJson() throws EngineException, IOException {
        return Json.read(request.body());
    }
}
