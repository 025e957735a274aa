package dev.skiff.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

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

    /** A header is a few hundred bytes; anything much larger is not an AuthConfig. */
    private static final int MAX_HEADER = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Decodes an {@code X-Registry-Auth} header. Null, empty, {@code e30=} ({@code {}}) or a
     * header that cannot be decoded give {@link #ANONYMOUS}, as dockerd does for pulls. The
     * {@code auth} field (base64 of user:password) fills username and password when they are absent.
     */
    public static Credentials fromHeader(String xRegistryAuth) {
        if (xRegistryAuth == null || xRegistryAuth.isBlank() || xRegistryAuth.length() > MAX_HEADER) {
            return ANONYMOUS;
        }
        byte[] json = decodeBase64(xRegistryAuth.strip());
        if (json == null) {
            return ANONYMOUS;
        }
        try {
            return fromJson(JSON.readTree(json));
        } catch (java.io.IOException | RuntimeException e) {
            return ANONYMOUS;
        }
    }

    /** The AuthConfig JSON object ({@code POST /auth}); Go decodes field names case-insensitively, so do we. */
    static Credentials fromJson(JsonNode node) {
        if (node == null || !node.isObject()) {
            return ANONYMOUS;
        }
        String username = null, password = null, auth = null, identity = null, registry = null, server = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String v = e.getValue().isTextual() && !e.getValue().asText().isEmpty() ? e.getValue().asText() : null;
            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                case "username" -> username = v;
                case "password" -> password = v;
                case "auth" -> auth = v;
                case "identitytoken" -> identity = v;
                case "registrytoken" -> registry = v;
                case "serveraddress" -> server = v;
                default -> { }
            }
        }
        if (auth != null && username == null && password == null) {
            byte[] pair = decodeBase64(auth);
            String s = pair == null ? "" : new String(pair, StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            if (colon > 0) {
                username = s.substring(0, colon);
                password = s.substring(colon + 1);
            }
        }
        return new Credentials(username, password, identity, registry, server);
    }

    /** The CLI sends base64url; older clients and hand-made headers use standard base64, padded or not. */
    private static byte[] decodeBase64(String s) {
        String unpadded = s.replace("=", "");
        for (Base64.Decoder d : new Base64.Decoder[] {Base64.getUrlDecoder(), Base64.getDecoder()}) {
            try {
                return d.decode(unpadded);
            } catch (IllegalArgumentException e) {
                // try the other alphabet
            }
        }
        return null;
    }

    public boolean anonymous() {
        return username == null && identityToken == null && registryToken == null;
    }

    /** Basic credentials can be sent: a user name and a password. */
    boolean hasPassword() {
        return username != null && password != null;
    }

    /** Never print secrets: a record's default toString would. */
    @Override
    public String toString() {
        return "Credentials[username=" + username + ", serverAddress=" + serverAddress + "]";
    }
}
