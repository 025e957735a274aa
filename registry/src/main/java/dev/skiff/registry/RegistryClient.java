package dev.skiff.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static dev.skiff.registry.RegistryException.Kind.UNAUTHORIZED;

/**
 * The daemon's one registry client: its configuration, HTTP clients (verifying, and not verifying for
 * insecure registries) and the bearer-token cache shared by every {@link Repository} it opens.
 */
public final class RegistryClient implements AutoCloseable {
    private final RegistryConfig config;
    private final ClientContext ctx;

    public RegistryClient(RegistryConfig config) throws IOException {
        this.config = config;
        this.ctx = new ClientContext(config);
    }

    public RegistryConfig config() {
        return config;
    }

    /** The unit of the backoff between blob attempts (Docker's 5 s); tests make it short. */
    /** Tests: Docker Hub's names go to {@code hostPort} over {@code scheme} instead of registry-1.docker.io. */
    void hubForTests(String hostPort, String scheme) {
        ctx.endpoints.hub(hostPort, scheme);
    }

    void retryBase(Duration base) {
        ctx.retryBase = base;
    }

    /**
     * A repository: {@code registry} is "host[:port]" ("docker.io" for Docker Hub, whose mirrors are tried first for
     * pulls), {@code path} the repository ("library/busybox"). {@code push} asks for push scope as well as pull.
     * Nothing is sent until the first call on the result.
     */
    public Repository repository(String registry, String path, Credentials credentials, boolean push) {
        return new RemoteRepository(ctx, registry, path, credentials, push);
    }

    /**
     * {@code POST /auth} (docker login): checks {@code credentials} against the registry that
     * {@code serverAddress} names ("127.0.0.1:5000", "http://host:port", "https://index.docker.io/v1/").
     *
     * @return an identity token when the registry's token service handed out a refresh token, else null
     * @throws RegistryException UNAUTHORIZED with Docker's wording when they are wrong
     */
    public String login(Credentials credentials) throws RegistryException {
        String registry = Endpoints.registryOfServerAddress(credentials.serverAddress());
        Session probe = new Session(ctx, ctx.endpoints.forRegistry(registry, true).getFirst(), Credentials.ANONYMOUS);
        Challenge c = probe.challenge();
        URI v2 = probe.base().resolve("/v2/");
        if (c == null) {
            return null; // the registry needs no credentials: dockerd accepts the login too
        }
        if (c.bearer()) {
            TokenService.Token t = ctx.tokenService.fetch(c, credentials, List.of(), true);
            check(v2, "Bearer " + t.token());
            return t.refreshToken();
        }
        if (!credentials.hasPassword()) {
            throw new RegistryException(UNAUTHORIZED, "login attempt to " + v2 + " failed with status: "
                    + ErrorBodies.statusLine(401));
        }
        check(v2, TokenService.basic(credentials));
        return null;
    }

    /** GET /v2/ with credentials: dockerd's {@code loginV2} wants 200. */
    private void check(URI v2, String authorization) throws RegistryException {
        String hp = Endpoints.hostPort(v2);
        HttpResponse<InputStream> r = ctx.transport.send(ctx.transport.client(hp, ctx.endpoints.insecure(hp)),
                HttpRequest.newBuilder(v2).timeout(config.idleTimeout()).header("Authorization", authorization)
                        .GET().build());
        Session.discard(r);
        if (r.statusCode() != 200) {
            throw new RegistryException(UNAUTHORIZED, "login attempt to " + v2 + " failed with status: "
                    + ErrorBodies.statusLine(r.statusCode()));
        }
    }

    @Override
    public void close() {
        ctx.close();
    }
}
