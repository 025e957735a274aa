package dev.skiff.registry;

/**
 * What the docker CLI sends in {@code X-Registry-Auth} (base64url of JSON: username, password,
 * auth, email, serveraddress, identitytoken, registrytoken) or in the body of {@code POST /auth}.
 * Any field may be null.
 *
 * @param registryToken a bearer token to use as it is, with no token exchange
 * @param identityToken a refresh token for the registry's token service
 */
public record Credentials(String username, String password, String identityToken, String registryToken,
                          String serverAddress) {
    public static final Credentials ANONYMOUS = new Credentials(null, null, null, null, null);

    /**
     * Decodes an {@code X-Registry-Auth} header. Null, empty, {@code e30=} ({@code {}}) or a
     * header that cannot be decoded give {@link #ANONYMOUS}, as dockerd does for pulls. The
     * {@code auth} field (base64 of user:password) fills username and password when they are absent.
     */
    public static Credentials fromHeader(String xRegistryAuth) {
        throw new UnsupportedOperationException("TODO");
    }

    public boolean anonymous() {
        return username == null && identityToken == null && registryToken == null;
    }
}
