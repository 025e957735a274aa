package dev.skiff.registry;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;

/** A self-signed server certificate for HTTPS fakes, made once with the JDK's keytool. */
final class TestTls {
    private static SSLContext context;

    private TestTls() {
    }

    static synchronized SSLContext server() throws Exception {
        if (context == null) {
            Path dir = Files.createTempDirectory("skiff-tls");
            Path ks = dir.resolve("server.p12");
            String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            Tools.run(Tools.cmd(keytool, "-genkeypair", "-keyalg", "RSA", "-keysize", "2048", "-alias", "server",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", ks.toString(), "-storepass", "changeit", "-keypass", "changeit"));
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(ks)) {
                store.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, "changeit".toCharArray());
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(kmf.getKeyManagers(), null, null);
            context = c;
        }
        return context;
    }
}
