package dev.skiff.engine.api;

import java.io.IOException;

/**
 * A request that cannot be parsed as HTTP/1.1, or that breaks one of the named limits in
 * {@link HttpRequest}. The connection answers with {@link #status()} and closes: after a framing
 * error nothing more on it can be trusted.
 */
final class HttpException extends IOException {
    private final int status;

    HttpException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }

    static HttpException tooLong(String what, int limit) {
        return new HttpException(431, what + " longer than " + limit + " bytes");
    }

    static HttpException malformed(String message) {
        return new HttpException(400, "malformed HTTP request: " + message);
    }
}
