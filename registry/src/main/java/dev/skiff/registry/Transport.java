package dev.skiff.registry;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static dev.skiff.registry.RegistryException.Kind.UNREACHABLE;

/**
 * The HTTP clients: one verifying with the JDK's trust anchors, one per registry that has CAs of its own in
 * {@code certsDir/<host:port>/*.crt} (merged with the JDK's), and one that verifies nothing for insecure
 * registries. None follows redirects: {@link Session} does, to control Authorization across hosts.
 */
final class Transport implements AutoCloseable {
    private final RegistryConfig config;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient verifying;
    private final HttpClient trustAll;
    private final Map<String, Optional<HttpClient>> withCas = new ConcurrentHashMap<>();

    Transport(RegistryConfig config) throws IOException {
        this.config = config;
        try {
            this.verifying = build(SSLContext.getDefault());
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new TrustAll()}, null);
            this.trustAll = build(ctx);
        } catch (GeneralSecurityException e) {
            throw new IOException("failed to set up TLS for registries: " + e.getMessage(), e);
        }
    }

    private HttpClient build(SSLContext ssl) {
        return HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(config.connectTimeout())
                .sslContext(ssl)
                .executor(executor)
                .build();
    }

    /** The client for {@code hostPort}: trusting everything when insecure, else with its certs.d CAs if any. */
    HttpClient client(String hostPort, boolean insecure) throws RegistryException {
        if (insecure) {
            return trustAll;
        }
        if (config.certsDir() == null) {
            return verifying;
        }
        Optional<HttpClient> c = withCas.computeIfAbsent(hostPort, this::clientWithCas);
        return c.orElse(verifying);
    }

    private Optional<HttpClient> clientWithCas(String hostPort) {
        Path dir = config.certsDir().resolve(hostPort.replace("[", "").replace("]", ""));
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try {
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            TrustManagerFactory def = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            def.init((KeyStore) null);
            int n = 0;
            for (TrustManager tm : def.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    for (X509Certificate c : x.getAcceptedIssuers()) {
                        ks.setCertificateEntry("jdk-" + n++, c);
                    }
                }
            }
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            try (DirectoryStream<Path> crts = Files.newDirectoryStream(dir, "*.crt")) {
                for (Path crt : crts) {
                    try (InputStream in = Files.newInputStream(crt)) {
                        for (Certificate c : cf.generateCertificates(in)) {
                            ks.setCertificateEntry(crt.getFileName() + "-" + n++, c);
                        }
                    }
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return Optional.of(build(ctx));
        } catch (IOException | GeneralSecurityException e) {
            // An unreadable CA makes the verifying client fail the handshake: the error then names TLS.
            return Optional.empty();
        }
    }

    /** Sends one request; a transport failure becomes UNREACHABLE naming the URL and what to check. */
    HttpResponse<InputStream> send(HttpClient client, HttpRequest request) throws RegistryException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(request.method(), request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(UNREACHABLE, goMethod(request.method()) + " \"" + request.uri()
                    + "\": interrupted", e);
        }
    }

    /** Go's error text for a failed request ("Get \"URL\": ...") plus a hint, as one message. */
    static RegistryException unreachable(String method, URI uri, IOException e) {
        String prefix = goMethod(method) + " \"" + uri + "\": ";
        String host = uri.getHost();
        String text;
        if (hasCause(e, UnresolvedAddressException.class)) {
            text = "dial tcp: lookup " + host + ": no such host: is the registry's name right, and can this host"
                    + " resolve it?";
        } else if (e instanceof HttpTimeoutException) {
            text = "i/o timeout: is the registry reachable from this host (firewall, proxy)?";
        } else if (e instanceof ConnectException) {
            text = "connection refused: is the registry running, and is the name right?";
        } else if (hasCause(e, SSLException.class)) {
            text = "tls: " + e.getMessage() + ": is its certificate trusted? Put its CA in certs.d/"
                    + Endpoints.hostPort(uri) + "/ca.crt, or list it in insecure-registries";
        } else {
            text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return new RegistryException(UNREACHABLE, prefix + text, e);
    }

    /** A failure after TCP connected (TLS, a reply that is not TLS): worth retrying an insecure one over HTTP. */
    static boolean connectedButFailed(Throwable e) {
        return !hasCause(e, ConnectException.class) && !hasCause(e, UnresolvedAddressException.class)
                || hasCause(e, SSLException.class);
    }

    static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    static String goMethod(String method) {
        return method.charAt(0) + method.substring(1).toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        verifying.close();
        trustAll.close();
        withCas.values().forEach(c -> c.ifPresent(HttpClient::close));
        executor.close();
    }

    /**
     * Accepts any certificate and, being an extended trust manager, any host name: JSSE leaves endpoint
     * identification to such a manager. Only for registries the configuration calls insecure.
     */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
        @Override public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
