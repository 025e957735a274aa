package dev.skiff.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static dev.skiff.registry.RegistryException.Kind.UNAUTHORIZED;
import static dev.skiff.registry.RegistryException.Kind.UNREACHABLE;
import static dev.skiff.registry.RegistryException.Kind.UNSUPPORTED;

/**
 * Asks a Bearer challenge's realm for a token (distribution {@code docs/spec/auth/token.md} and
 * {@code oauth.md}; the client side is distribution's {@code registry/client/auth/session.go}): GET with Basic
 * credentials (or none, for an anonymous token), or POST of a refresh-token grant when the credentials hold an
 * identity token.
 */
final class TokenService {
    /** Docker's client id, sent with refresh-token grants and logins (moby {@code registry/auth.go}). */
    static final String CLIENT_ID = "docker";
    /** A token answer is a JWT or two and some numbers. */
    private static final int MAX_TOKEN_BODY = 1024 * 1024;
    /** token.md: "If omitted, this defaults to 60 seconds"; shorter lifetimes are treated as 60 too. */
    private static final long MIN_EXPIRY_SECONDS = 60;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A token service's answer: {@code token} or {@code access_token}, its lifetime, maybe a refresh token. */
    record Token(String token, long expiresInSeconds, String refreshToken) {
        @Override
        public String toString() {
            return "Token[expiresIn=" + expiresInSeconds + "]";
        }
    }

    private final Transport transport;
    private final Endpoints endpoints;

    TokenService(Transport transport, Endpoints endpoints) {
        this.transport = transport;
        this.endpoints = endpoints;
    }

    /**
     * Fetches a token for {@code scopes} ("repository:test/img:pull,push"; none for a login). A login also asks
     * for a refresh token ({@code offline_token=true}), as dockerd does.
     */
    Token fetch(Challenge challenge, Credentials creds, List<String> scopes, boolean login) throws RegistryException {
        String realm = challenge.param("realm");
        URI realmUri;
        try {
            realmUri = realm == null ? null : URI.create(realm);
        } catch (IllegalArgumentException e) {
            realmUri = null;
        }
        if (realmUri == null || realmUri.getHost() == null
                || !("https".equals(realmUri.getScheme()) || "http".equals(realmUri.getScheme()))) {
            throw new RegistryException(UNSUPPORTED, "the registry's Bearer challenge has no usable realm: \""
                    + realm + "\"");
        }
        String service = challenge.param("service");
        HttpRequest request = creds.identityToken() != null
                ? refreshGrant(realmUri, service, creds.identityToken(), scopes, login)
                : tokenGet(realmUri, service, creds, scopes, login);
        HttpResponse<InputStream> r = transport.send(
                transport.client(Endpoints.hostPort(realmUri), endpoints.insecure(Endpoints.hostPort(realmUri))),
                request);
        byte[] body = read(r, request);
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            List<ErrorBodies.ErrorBody> errors = ErrorBodies.parse(body);
            String why = !errors.isEmpty() ? errors.getFirst().toString()
                    : creds.anonymous() ? "unauthorized: authentication required"
                    : "unauthorized: incorrect username or password";
            throw new RegistryException(UNAUTHORIZED, Transport.goMethod(request.method()) + " \"" + request.uri()
                    + "\": " + why);
        }
        if (r.statusCode() / 100 != 2) {
            throw new RegistryException(UNREACHABLE, Transport.goMethod(request.method()) + " \"" + request.uri()
                    + "\": token service answered " + ErrorBodies.statusLine(r.statusCode()) + ": "
                    + ErrorBodies.describe(r.statusCode(), body));
        }
        return parse(body, request.uri());
    }

    private static HttpRequest tokenGet(URI realm, String service, Credentials creds, List<String> scopes,
                                        boolean login) {
        List<String> q = new ArrayList<>();
        if (creds.username() != null) {
            q.add("account=" + enc(creds.username()));
        }
        if (login) {
            q.add("client_id=" + CLIENT_ID);
            q.add("offline_token=true");
        }
        if (service != null) {
            q.add("service=" + enc(service));
        }
        for (String s : scopes) {
            q.add("scope=" + enc(s));
        }
        String sep = realm.getRawQuery() == null ? "?" : "&";
        URI uri = URI.create(realm + (q.isEmpty() ? "" : sep + String.join("&", q)));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
        if (creds.hasPassword()) {
            b.header("Authorization", basic(creds));
        }
        return b.build();
    }

    private static HttpRequest refreshGrant(URI realm, String service, String refreshToken, List<String> scopes,
                                            boolean login) {
        List<String> f = new ArrayList<>();
        f.add("grant_type=refresh_token");
        f.add("refresh_token=" + enc(refreshToken));
        f.add("client_id=" + CLIENT_ID);
        if (service != null) {
            f.add("service=" + enc(service));
        }
        if (!scopes.isEmpty()) {
            f.add("scope=" + enc(String.join(" ", scopes)));
        }
        if (login) {
            f.add("access_type=offline");
        }
        return HttpRequest.newBuilder(realm)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(String.join("&", f)))
                .build();
    }

    static String basic(Credentials c) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
    }

    private static Token parse(byte[] body, URI uri) throws RegistryException {
        try {
            JsonNode n = JSON.readTree(body);
            String token = text(n, "token");
            token = token != null ? token : text(n, "access_token");
            if (token == null) {
                throw new RegistryException(UNSUPPORTED, "the token service at " + uri + " returned no token");
            }
            JsonNode exp = n.get("expires_in");
            long expires = exp != null && exp.canConvertToLong() ? exp.asLong() : MIN_EXPIRY_SECONDS;
            return new Token(token, Math.max(expires, MIN_EXPIRY_SECONDS), text(n, "refresh_token"));
        } catch (IOException e) {
            throw new RegistryException(UNSUPPORTED, "the token service at " + uri + " returned no JSON: "
                    + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v != null && v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    private static byte[] read(HttpResponse<InputStream> r, HttpRequest request) throws RegistryException {
        try (InputStream in = r.body()) {
            byte[] b = in.readNBytes(MAX_TOKEN_BODY + 1);
            if (b.length > MAX_TOKEN_BODY) {
                throw new RegistryException(UNSUPPORTED, "the token service at " + request.uri()
                        + " answered more than " + MAX_TOKEN_BODY + " bytes");
            }
            return b;
        } catch (IOException e) {
            throw Transport.unreachable(request.method(), request.uri(), e);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
