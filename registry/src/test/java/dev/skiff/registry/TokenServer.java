package dev.skiff.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A token service for docker-registry's token auth (distribution {@code docs/spec/auth/token.md}): RS256 JWTs
 * signed with a JDK key whose certificate (made by openssl) is the registry's rootcertbundle, named by its
 * libtrust key id. Known users get the actions they ask for, anonymous callers none; every request is kept.
 */
final class TokenServer implements AutoCloseable {
    static final String SERVICE = "skiff-test-registry";
    static final String ISSUER = "skiff-test-issuer";
    static final String REFRESH = "skiff-refresh-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request the realm saw. */
    record Seen(String method, String query, String authorization, String form) {}

    final List<Seen> requests = new CopyOnWriteArrayList<>();
    final Path certificate;
    private final HttpServer server;
    private final KeyPair key;
    private final String kid;
    private final String user;
    private final String password;

    TokenServer(Path dir, String user, String password) throws Exception {
        this.user = user;
        this.password = password;
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        this.key = g.generateKeyPair();
        this.kid = libtrustKeyId(key.getPublic().getEncoded());
        Path pem = dir.resolve("token.key");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        this.certificate = dir.resolve("token.crt");
        Tools.run(Tools.cmd(Tools.require("openssl", "openssl"), "req", "-x509", "-new", "-key", pem.toString(),
                "-subj", "/CN=skiff-test-token", "-days", "2", "-out", certificate.toString()));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/token", this::token);
        server.start();
    }

    String realm() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** The registry's auth block for this service. */
    String registryYaml() {
        return """
                auth:
                  token:
                    realm: %s
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(realm(), SERVICE, ISSUER, certificate);
    }

    private void token(HttpExchange ex) throws IOException {
        String query = ex.getRequestURI().getRawQuery();
        String form = ex.getRequestMethod().equals("POST")
                ? new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) : null;
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        requests.add(new Seen(ex.getRequestMethod(), query, auth, form));
        Map<String, List<String>> params = params(form != null ? form : query);
        boolean known;
        if (form != null) {
            known = REFRESH.equals(first(params, "refresh_token"));
        } else if (auth != null) {
            String expected = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes());
            known = auth.equals(expected);
            if (!known) {
                reply(ex, 401, Map.of("details", "incorrect username or password"));
                return;
            }
        } else {
            known = false;
        }
        List<String> scopes = new ArrayList<>(params.getOrDefault("scope", List.of()));
        if (form != null && !scopes.isEmpty()) {
            scopes = List.of(scopes.getFirst().split(" "));
        }
        List<Map<String, Object>> access = new ArrayList<>();
        if (known) {
            for (String s : scopes) {
                String[] p = s.split(":");
                access.add(Map.of("type", p[0], "name", p[1], "actions", List.of(p[2].split(","))));
            }
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        String jwt = jwt(known ? user : "", access);
        reply.put("token", jwt);
        reply.put("access_token", jwt);
        reply.put("expires_in", 300);
        if (known && ("true".equals(first(params, "offline_token")) || form != null)) {
            reply.put("refresh_token", REFRESH);
        }
        reply(ex, 200, reply);
    }

    private String jwt(String subject, List<Map<String, Object>> access) throws IOException {
        long now = System.currentTimeMillis() / 1000;
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("sub", subject);
        claims.put("aud", SERVICE);
        claims.put("exp", now + 300);
        claims.put("nbf", now - 10);
        claims.put("iat", now);
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("access", access);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signed = b64.encodeToString(JSON.writeValueAsBytes(Map.of("typ", "JWT", "alg", "RS256", "kid", kid)))
                + "." + b64.encodeToString(JSON.writeValueAsBytes(claims));
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key.getPrivate());
            s.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + b64.encodeToString(s.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /**
     * libtrust's key id (distribution's vendored {@code libtrust/util.go}): sha256 of the DER public key, first
     * 30 bytes, base32 without padding, in 12 groups of 4 joined by ':'.
     */
    static String libtrustKeyId(byte[] der) throws Exception {
        byte[] h = Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(der), 30);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder b32 = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte x : h) {
            buffer = buffer << 8 | x & 0xff;
            bits += 8;
            while (bits >= 5) {
                b32.append(alphabet.charAt(buffer >> bits - 5 & 31));
                bits -= 5;
            }
        }
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < b32.length(); i += 4) {
            groups.add(b32.substring(i, i + 4));
        }
        return String.join(":", groups);
    }

    private static Map<String, List<String>> params(String q) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (q != null && !q.isEmpty()) {
            for (String kv : q.split("&")) {
                int eq = kv.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
        return out;
    }

    static String first(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null ? null : v.getFirst();
    }

    static Map<String, List<String>> query(String q) {
        return params(q);
    }

    private static void reply(HttpExchange ex, int status, Map<String, Object> body) throws IOException {
        byte[] b = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
