package dev.skiff.registry;

import java.io.IOException;

/**
 * The daemon's one registry client: its configuration, HTTP clients (verifying, and not verifying for
 * insecure registries) and the bearer-token cache shared by every {@link Repository} it opens.
 */
public final class RegistryClient implements AutoCloseable {
    private final RegistryConfig config;

    public RegistryClient(RegistryConfig config) throws IOException {
        this.config = config;
    }

    public RegistryConfig config() {
        return config;
    }

    /**
     * A repository: {@code registry} is "host[:port]" ("docker.io" for Docker Hub, whose mirrors are tried first for
     * pulls), {@code path} the repository ("library/busybox"). {@code push} asks for push scope as well as pull.
     * Nothing is sent until the first call on the result.
     */
    public Repository repository(String registry, String path, Credentials credentials, boolean push) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * {@code POST /auth} (docker login): checks {@code credentials} against the registry that
     * {@code serverAddress} names ("127.0.0.1:5000", "http://host:port", "https://index.docker.io/v1/").
     *
     * @return an identity token when the registry's token service handed out a refresh token, else null
     * @throws RegistryException UNAUTHORIZED with Docker's wording when they are wrong
     */
    public String login(Credentials credentials) throws RegistryException {
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public void close() {
    }
}
