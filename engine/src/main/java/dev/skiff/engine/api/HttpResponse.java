package dev.skiff.engine.api;

import dev.skiff.agent.api.SkiffVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The reply to one request, in one of three shapes: a fixed body with Content-Length, a chunked
 * stream (logs, wait, JSON progress), or a hijacked connection (attach, exec start) that carries
 * raw or multiplexed bytes until it closes. Every shape carries the headers the docker CLI reads
 * from the daemon ({@link #COMMON_HEADERS}). Exactly one reply per request: a second one is a bug
 * in the handler and throws.
 */
final class HttpResponse {
    static final Map<String, String> COMMON_HEADERS = Map.of(
            "Api-Version", ApiVersions.CURRENT,
            "Docker-Experimental", "false",
            "Ostype", "linux",
            "Server", "Skiff/" + SkiffVersion.VERSION);

    private final OutputStream out;
    private final boolean head;
    private boolean committed;
    private boolean closeConnection;
    private boolean hijacked;
    private int status; // 0 until the head is sent

    HttpResponse(OutputStream out, boolean head, boolean keepAlive) {
        this.out = out;
        this.head = head;
        this.closeConnection = !keepAlive;
    }

    boolean committed() {
        return committed;
    }

    boolean hijacked() {
        return hijacked;
    }

    /** The status this reply sent, 0 before its head went out. */
    int status() {
        return status;
    }

    /** Whether the connection must close after this reply. */
    boolean closeConnection() {
        return closeConnection || hijacked;
    }

    /** Asks for the connection to close after this reply (e.g. a stream that ended badly). */
    void closeAfter() {
        closeConnection = true;
    }

    void send(int status, String contentType, byte[] body) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", contentType);
        headers.put("Content-Length", Integer.toString(body.length));
        writeHead(status, headers);
        if (!head) {
            out.write(body);
        }
        out.flush();
    }

    void sendText(int status, String text) throws IOException {
        send(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    void sendJson(int status, Object value) throws IOException {
        send(status, "application/json", Json.write(value));
    }

    /** A reply without a body: 204 and 304 carry no Content-Length, others carry 0. */
    void sendEmpty(int status) throws IOException {
        sendEmpty(status, Map.of());
    }

    /** {@link #sendEmpty(int)} with more headers (HEAD /containers/{id}/archive's stat). */
    void sendEmpty(int status, Map<String, String> extra) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        if (status != 204 && status != 304) {
            headers.put("Content-Length", "0");
        }
        writeHead(status, headers);
        out.flush();
    }

    /**
     * Sends the status and headers now, then a body whose chunks go out as they are written
     * and flushed. The caller closes the stream to end the body.
     */
    OutputStream startChunked(int status, String contentType) throws IOException {
        return startChunked(status, contentType, Map.of());
    }

    /** {@link #startChunked(int, String)} with more headers. */
    OutputStream startChunked(int status, String contentType, Map<String, String> extra) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Content-Type", contentType);
        headers.put("Transfer-Encoding", "chunked");
        writeHead(status, headers);
        out.flush();
        return new ChunkedOutputStream(out);
    }

    /**
     * Takes the connection over for a raw stream, as dockerd does for attach and exec start:
     * {@code 101 UPGRADED} when the client asked for {@code Upgrade: tcp}, else 200 with no
     * length, and the connection closes when the stream ends.
     */
    OutputStream hijack(boolean upgrade, String contentType) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", contentType);
        if (upgrade) {
            headers.put("Connection", "Upgrade");
            headers.put("Upgrade", "tcp");
        }
        hijacked = true;
        writeHead(upgrade ? 101 : 200, headers);
        out.flush();
        return out;
    }

    private void writeHead(int status, Map<String, String> headers) throws IOException {
        if (committed) {
            throw new IllegalStateException("a reply was already sent for this request");
        }
        committed = true;
        this.status = status;
        StringBuilder head = new StringBuilder(256);
        head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        COMMON_HEADERS.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (closeConnection && !hijacked) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    static String reason(int status) {
        return switch (status) {
            case 101 -> "UPGRADED"; // what dockerd sends for a hijacked attach
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            default -> "Status " + status;
        };
    }
}
