package dev.skiff.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import static dev.skiff.registry.RegistryException.Kind.UNREACHABLE;
import static dev.skiff.registry.RegistryException.Kind.UNSUPPORTED;

/**
 * Requests to one endpoint with one set of credentials: the {@code GET /v2/} probe (which also settles https
 * or http for an insecure registry), the Authorization header the challenge asks for, one new token after a
 * 401, redirects followed by hand, and waiting out 429s.
 */
final class Session {
    /** distribution-spec lets registries redirect any request; bound the chain. */
    static final int MAX_REDIRECTS = 10;
    /** How often a 429 with Retry-After is waited out before giving up, and the longest wait honoured. */
    static final int MAX_TOO_MANY = 2;
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(60);

    private final ClientContext ctx;
    private final Endpoints.Endpoint endpoint;
    private final Credentials creds;
    private URI base;          // scheme://host:port, once probed
    private Challenge challenge;
    private boolean probed;

    Session(ClientContext ctx, Endpoints.Endpoint endpoint, Credentials creds) {
        this.ctx = ctx;
        this.endpoint = endpoint;
        this.creds = creds;
    }

    Endpoints.Endpoint endpoint() {
        return endpoint;
    }

    /** scheme://host:port of the endpoint, probing it first if needed. */
    synchronized URI base() throws RegistryException {
        if (!probed) {
            probe();
            probed = true;
        }
        return base;
    }

    synchronized Challenge challenge() throws RegistryException {
        base();
        return challenge;
    }

    /** The status of the probe; kept for login, which needs more than the challenge. */
    private int probeStatus;

    synchronized int probeStatus() throws RegistryException {
        base();
        return probeStatus;
    }

    /**
     * {@code GET /v2/} without credentials: 401 brings the challenge, anything else means none is needed. For an
     * insecure registry whose scheme is not yet known, https (unverified) is tried first and http only when
     * something answered but TLS failed, as dockerd falls back.
     */
    private void probe() throws RegistryException {
        String hp = endpoint.hostPort();
        String scheme = endpoint.scheme() != null ? endpoint.scheme() : ctx.endpoints.knownScheme(hp);
        if (scheme != null) {
            probeAt(scheme);
            return;
        }
        try {
            probeAt("https");
        } catch (RegistryException e) {
            if (!ctx.endpoints.insecure(hp) || !Transport.connectedButFailed(e.getCause())) {
                throw e;
            }
            try {
                probeAt("http");
            } catch (RegistryException plain) {
                e.addSuppressed(plain);
                throw e;
            }
        }
        ctx.endpoints.remember(hp, base.getScheme());
    }

    private void probeAt(String scheme) throws RegistryException {
        URI b = URI.create(scheme + "://" + endpoint.hostPort());
        HttpResponse<InputStream> r = ctx.transport.send(client(b), HttpRequest.newBuilder(b.resolve("/v2/"))
                .timeout(ctx.config.idleTimeout()).GET().build());
        discard(r);
        base = b;
        probeStatus = r.statusCode();
        challenge = r.statusCode() == 401
                ? Challenge.preferred(Challenge.parse(r.headers().allValues("WWW-Authenticate"))) : null;
    }

    /**
     * Sends a request with the credentials the challenge asks for; on a 401, fetches a new token (or adopts the
     * challenge this 401 brings) and sends once more. {@code target} is a path ("/v2/...") or an absolute URL
     * (an upload's Location). The caller reads or closes the body.
     */
    HttpResponse<InputStream> send(String method, String target, Map<String, String> headers,
                                   Supplier<HttpRequest.BodyPublisher> body, List<String> scopes)
            throws RegistryException {
        URI b = base();
        URI uri = target.contains("://") ? URI.create(target) : b.resolve(target);
        String auth = authorization(scopes, null);
        HttpResponse<InputStream> r = exchange(method, uri, headers, body, auth);
        if (r.statusCode() != 401 || creds.registryToken() != null) {
            return r;
        }
        Challenge c = Challenge.preferred(Challenge.parse(r.headers().allValues("WWW-Authenticate")));
        boolean retry = c != null && (c.bearer() || c.basic() && creds.hasPassword() && auth == null);
        if (!retry) {
            return r;
        }
        discard(r);
        synchronized (this) {
            if (challenge == null || !challenge.scheme().equals(c.scheme())
                    || !Objects.equals(challenge.param("realm"), c.param("realm"))) {
                challenge = c;
            }
        }
        return exchange(method, uri, headers, body, authorization(scopes, auth));
    }

    /**
     * The Authorization value: the registry token as it is; Basic credentials on every request when the
     * registry asks for Basic; else a Bearer token for {@code scopes}, cached. {@code rejected} is the value a
     * 401 just refused, so a cached token equal to it is fetched anew.
     */
    private String authorization(List<String> scopes, String rejected) throws RegistryException {
        if (creds.registryToken() != null) {
            return "Bearer " + creds.registryToken();
        }
        Challenge c = challenge();
        if (c == null) {
            return null;
        }
        if (c.basic()) {
            return creds.hasPassword() ? TokenService.basic(creds) : null;
        }
        if (!c.bearer()) {
            return null;
        }
        String account = creds.identityToken() != null ? "identity:" + Integer.toHexString(creds.identityToken().hashCode())
                : creds.username() == null ? "" : "user:" + creds.username() + ":" + Objects.hashCode(creds.password());
        TokenCache.Key key = TokenCache.Key.of(Objects.toString(c.param("realm"), ""), c.param("service"), scopes,
                account);
        String stale = rejected != null && rejected.startsWith("Bearer ") ? rejected.substring(7) : null;
        return "Bearer " + ctx.tokens.get(key, stale, () -> ctx.tokenService.fetch(c, creds, scopes, false));
    }

    /**
     * One request, following redirects of GET and HEAD by hand: Authorization only goes to the endpoint's own
     * scheme://host:port (distribution-spec: "MUST NOT forward Authorization headers across host
     * boundaries"), and https never leads to http. A 429 is waited out up to {@link #MAX_TOO_MANY} times.
     */
    private HttpResponse<InputStream> exchange(String method, URI uri, Map<String, String> headers,
                                               Supplier<HttpRequest.BodyPublisher> body, String auth)
            throws RegistryException {
        URI current = uri;
        String m = method;
        Supplier<HttpRequest.BodyPublisher> publisher = body;
        int redirects = 0;
        int tooMany = 0;
        while (true) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(current).timeout(ctx.config.idleTimeout())
                    .method(m, publisher == null ? HttpRequest.BodyPublishers.noBody() : publisher.get());
            headers.forEach(rb::header);
            if (auth != null && sameOrigin(current, base)) {
                rb.header("Authorization", auth);
            }
            HttpResponse<InputStream> r = ctx.transport.send(client(current), rb.build());
            int s = r.statusCode();
            if (s == 429 && tooMany < MAX_TOO_MANY) {
                Duration wait = retryAfter(r);
                if (wait != null) {
                    discard(r);
                    tooMany++;
                    if (!ClientContext.pause(wait)) {
                        throw new RegistryException(UNREACHABLE, "interrupted while waiting out 429 from " + current);
                    }
                    continue;
                }
            }
            boolean redirect = s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
            String location = r.headers().firstValue("Location").orElse(null);
            if (!redirect || location == null || !(m.equals("GET") || m.equals("HEAD"))) {
                return r;
            }
            discard(r);
            if (++redirects > MAX_REDIRECTS) {
                throw new RegistryException(UNSUPPORTED, Transport.goMethod(method) + " \"" + uri
                        + "\": stopped after " + MAX_REDIRECTS + " redirects");
            }
            URI next;
            try {
                next = current.resolve(location);
            } catch (IllegalArgumentException e) {
                throw new RegistryException(UNREACHABLE, "the registry redirected " + current
                        + " to an invalid location \"" + location + "\"", e);
            }
            if ("https".equalsIgnoreCase(current.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                throw new RegistryException(UNSUPPORTED, "refusing the registry's redirect from " + current
                        + " to " + next + ": it leaves https");
            }
            current = next;
            if (s == 303) {
                m = "GET";
                publisher = null;
            }
        }
    }

    /** Retry-After in seconds (the form registries use), capped; null when absent or too long to wait. */
    private Duration retryAfter(HttpResponse<?> r) {
        String v = r.headers().firstValue("Retry-After").orElse(null);
        if (v == null) {
            return ctx.retryBase;
        }
        try {
            Duration d = Duration.ofSeconds(Math.max(0, Long.parseLong(v.strip())));
            return d.compareTo(MAX_RETRY_AFTER) <= 0 ? d : null;
        } catch (NumberFormatException e) {
            return ctx.retryBase; // an HTTP-date: not worth parsing for a bounded wait
        }
    }

    private java.net.http.HttpClient client(URI uri) throws RegistryException {
        String hp = Endpoints.hostPort(uri);
        return ctx.transport.client(hp, ctx.endpoints.insecure(hp));
    }

    static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    /** Drains a little and closes, so the connection can be reused or is dropped. */
    static void discard(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            in.readNBytes(ErrorBodies.MAX_ERROR_BODY);
        } catch (IOException e) {
            // nothing to keep from a body we do not want
        }
    }

    /** A bounded error body, for {@link ErrorBodies}. */
    static byte[] errorBody(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            return in.readNBytes(ErrorBodies.MAX_ERROR_BODY);
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
