package dev.skiff.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static dev.skiff.registry.RegistryException.Kind.DENIED;
import static dev.skiff.registry.RegistryException.Kind.INVALID;
import static dev.skiff.registry.RegistryException.Kind.NOT_FOUND;
import static dev.skiff.registry.RegistryException.Kind.UNAUTHORIZED;
import static dev.skiff.registry.RegistryException.Kind.UNREACHABLE;
import static dev.skiff.registry.RegistryException.Kind.UNSUPPORTED;

/**
 * The one place where a registry's error answers become {@link RegistryException}s, worded as dockerd words
 * them (moby {@code daemon/internal/distribution/errors.go}; distribution's {@code errcode.Error.Error()} is
 * "code in lower case with spaces: message").
 */
final class ErrorBodies {
    /** Error bodies are a few hundred bytes; read no more than this of one. */
    static final int MAX_ERROR_BODY = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One entry of {@code {"errors":[{"code","message","detail"}]}} (distribution-spec "Error Codes"). */
    record ErrorBody(String code, String message, String detail) {
        @Override
        public String toString() {
            String c = code.toLowerCase(Locale.ROOT).replace('_', ' ');
            return message == null || message.isEmpty() ? c : c + ": " + message;
        }
    }

    private ErrorBodies() {
    }

    static List<ErrorBody> parse(byte[] body) {
        List<ErrorBody> out = new ArrayList<>();
        if (body == null || body.length == 0) {
            return out;
        }
        try {
            JsonNode root = JSON.readTree(body);
            JsonNode errors = root == null ? null : root.get("errors");
            if (errors != null && errors.isArray()) {
                for (JsonNode e : errors) {
                    String code = text(e.get("code"));
                    if (code != null) {
                        JsonNode d = e.get("detail");
                        out.add(new ErrorBody(code, text(e.get("message")), d == null || d.isNull() ? null : d.toString()));
                    }
                }
            } else if (root != null && root.isObject()) {
                // Token services answer {"details": "..."} (Docker Hub) or {"error": "..."} (OAuth2).
                String m = text(root.get("details"));
                m = m != null ? m : text(root.get("error_description"));
                m = m != null ? m : text(root.get("error"));
                if (m != null) {
                    out.add(new ErrorBody("UNAUTHORIZED", m, null));
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not JSON: the status line will have to do
        }
        return out;
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() ? n.asText() : null;
    }

    /** The registry's own words, or Docker's text for a bare status. */
    static String describe(int status, byte[] body) {
        List<ErrorBody> errors = parse(body);
        if (!errors.isEmpty()) {
            return String.join("; ", errors.stream().map(ErrorBody::toString).toList());
        }
        return switch (status) {
            case 401 -> "unauthorized: authentication required";
            case 403 -> "denied: requested access to the resource is denied";
            case 429 -> "toomanyrequests: too many requests";
            default -> "received unexpected HTTP status: " + statusLine(status);
        };
    }

    private static boolean has(List<ErrorBody> errors, String code) {
        return errors.stream().anyMatch(e -> e.code().equalsIgnoreCase(code));
    }

    /**
     * A failed manifest GET while pulling {@code name} ("busybox", "127.0.0.1:5000/test/img") at {@code ref}
     * (":tag" or "@sha256:...").
     */
    static RegistryException forPull(String name, String ref, int status, byte[] body) {
        List<ErrorBody> errors = parse(body);
        String cause = describe(status, body);
        if (has(errors, "DENIED") || has(errors, "UNAUTHORIZED") || status == 401 || status == 403) {
            return new RegistryException(status == 401 || has(errors, "UNAUTHORIZED") ? UNAUTHORIZED : DENIED,
                    "pull access denied for " + name
                            + ", repository does not exist or may require 'docker login': " + cause);
        }
        if (has(errors, "NAME_UNKNOWN")) {
            return new RegistryException(NOT_FOUND, "repository " + name + " not found: " + cause);
        }
        if (has(errors, "MANIFEST_UNKNOWN") || status == 404) {
            String c = errors.isEmpty() ? "manifest unknown: manifest unknown" : cause;
            return new RegistryException(NOT_FOUND, "manifest for " + name + ref + " not found: " + c);
        }
        return other(status, cause);
    }

    /** A failed blob request (GET, HEAD) while pulling. */
    static RegistryException forBlob(String name, String digest, int status, byte[] body) {
        List<ErrorBody> errors = parse(body);
        if (status == 404 && !has(errors, "NAME_UNKNOWN") && !has(errors, "DENIED")) {
            String c = errors.isEmpty() ? "blob unknown: blob unknown to registry" : describe(status, body);
            return new RegistryException(NOT_FOUND, "blob " + digest + " of " + name + " not found: " + c);
        }
        return forPull(name, "@" + digest, status, body);
    }

    /** A failed push request: Docker prints the registry's error as it is ("denied: requested access ..."). */
    static RegistryException forPush(int status, byte[] body) {
        List<ErrorBody> errors = parse(body);
        String cause = describe(status, body);
        if (status == 401 || has(errors, "UNAUTHORIZED")) {
            return new RegistryException(UNAUTHORIZED, cause);
        }
        if (status == 403 || has(errors, "DENIED")) {
            return new RegistryException(DENIED, cause);
        }
        if (has(errors, "NAME_UNKNOWN") || has(errors, "BLOB_UNKNOWN") || has(errors, "MANIFEST_BLOB_UNKNOWN")) {
            return new RegistryException(NOT_FOUND, cause);
        }
        if (has(errors, "DIGEST_INVALID") || has(errors, "MANIFEST_INVALID") || has(errors, "SIZE_INVALID")
                || has(errors, "NAME_INVALID") || has(errors, "TAG_INVALID") || status == 400) {
            return new RegistryException(INVALID, cause);
        }
        return other(status, cause);
    }

    private static RegistryException other(int status, String cause) {
        if (status == 405 || status == 501) {
            return new RegistryException(UNSUPPORTED, cause);
        }
        return new RegistryException(UNREACHABLE, cause);
    }

    /** "401 Unauthorized", as Go's http.Response.Status reads. */
    static String statusLine(int status) {
        String reason = switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 206 -> "Partial Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 307 -> "Temporary Redirect";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 416 -> "Requested Range Not Satisfiable";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "";
        };
        return reason.isEmpty() ? Integer.toString(status) : status + " " + reason;
    }
}
