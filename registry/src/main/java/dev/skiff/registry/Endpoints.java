package dev.skiff.registry;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a registry name is served, as dockerd decides it (moby {@code daemon/pkg/registry/config.go},
 * {@code service_v2.go}): Docker Hub's names go to registry-1.docker.io after the configured mirrors (pulls
 * only); insecure registries (listed, in a listed CIDR, or loopback) are tried over HTTPS without verification
 * and then over plain HTTP, and the scheme that worked is remembered per registry.
 */
final class Endpoints {
    static final String HUB = "docker.io";
    static final String HUB_HOST = "registry-1.docker.io";

    /**
     * One place to send a repository's requests.
     *
     * @param hostPort "host[:port]" as in a URL
     * @param scheme   "https" or "http" when fixed (a mirror's URL says it), null to decide by probing
     * @param mirror   a Docker Hub mirror: its failures fall through to the next endpoint
     */
    record Endpoint(String hostPort, String scheme, boolean mirror) {}

    private final List<String> mirrors;
    private final List<String> insecure;
    private final Map<String, String> schemes = new ConcurrentHashMap<>();
    /** Where Docker Hub's names go after the mirrors; tests point it at loopback so nothing leaves the host. */
    private volatile Endpoint hub = new Endpoint(HUB_HOST, "https", false);

    Endpoints(RegistryConfig config) {
        this.mirrors = config.mirrors() == null ? List.of() : List.copyOf(config.mirrors());
        this.insecure = config.insecureRegistries() == null ? List.of() : List.copyOf(config.insecureRegistries());
    }

    static boolean isHub(String registry) {
        return registry.equals(HUB) || registry.equals("index.docker.io") || registry.equals(HUB_HOST);
    }

    /** The endpoints to try in order: mirrors first for a Docker Hub pull. */
    List<Endpoint> forRegistry(String registry, boolean push) {
        if (!isHub(registry)) {
            return List.of(new Endpoint(registry, null, false));
        }
        List<Endpoint> out = new ArrayList<>();
        if (!push) {
            for (String m : mirrors) {
                URI u = URI.create(m.contains("://") ? m : "https://" + m);
                String hp = u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
                out.add(new Endpoint(hp, u.getScheme().toLowerCase(Locale.ROOT), true));
            }
        }
        out.add(hub);
        return out;
    }

    void hub(String hostPort, String scheme) {
        hub = new Endpoint(hostPort, scheme, false);
    }

    /** The scheme that answered last time for {@code hostPort}, or null. */
    String knownScheme(String hostPort) {
        return schemes.get(hostPort);
    }

    void remember(String hostPort, String scheme) {
        schemes.put(hostPort, scheme);
    }

    /**
     * dockerd's {@code isSecureIndex} inverted: listed by name, an IP literal within a listed CIDR, or loopback
     * (127.0.0.0/8, ::1, "localhost" are always insecure). Names are never resolved here: deciding must not
     * send DNS queries.
     */
    boolean insecure(String hostPort) {
        String host = host(hostPort);
        if (host.equals("localhost") || insecure.contains(hostPort) || insecure.contains(host)) {
            return true;
        }
        byte[] ip = ipLiteral(host);
        if (ip == null) {
            return false;
        }
        if (isLoopback(ip)) {
            return true;
        }
        for (String entry : insecure) {
            if (entry.contains("/") && inCidr(ip, entry)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLoopback(byte[] ip) {
        try {
            return InetAddress.getByAddress(ip).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    static boolean inCidr(byte[] ip, String cidr) {
        int slash = cidr.indexOf('/');
        byte[] net = ipLiteral(cidr.substring(0, slash));
        int bits;
        try {
            bits = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            return false;
        }
        if (net == null || net.length != ip.length || bits < 0 || bits > ip.length * 8) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >> (i % 8);
            if ((ip[i / 8] & mask) != (net[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    /** The address bytes of an IPv4 or IPv6 literal (brackets allowed), or null for a name. */
    static byte[] ipLiteral(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        boolean v4 = h.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = h.contains(":") && h.matches("[0-9a-fA-F:.%]+");
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(h).getAddress(); // a literal: parsed, never looked up
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The host of "host[:port]" or "[v6]:port". */
    static String host(String hostPort) {
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            return end < 0 ? hostPort : hostPort.substring(0, end + 1);
        }
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 || hostPort.indexOf(':') != colon ? hostPort : hostPort.substring(0, colon);
    }

    /** "host[:port]" of a URL, the way registries are named and certs.d directories are keyed. */
    static String hostPort(URI uri) {
        return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
    }

    /**
     * The registry a {@code docker login} server address names (moby's {@code ConvertToHostname}): empty or
     * Docker Hub's "https://index.docker.io/v1/" give docker.io; otherwise the scheme and any path are dropped.
     */
    static String registryOfServerAddress(String serverAddress) {
        if (serverAddress == null || serverAddress.isBlank()) {
            return HUB;
        }
        String s = serverAddress.strip();
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            s = s.substring(scheme + 3);
        }
        int slash = s.indexOf('/');
        if (slash >= 0) {
            s = s.substring(0, slash);
        }
        s = s.toLowerCase(Locale.ROOT);
        return s.isEmpty() || isHub(s) ? HUB : s;
    }

    /**
     * How dockerd names a repository in its messages (the reference's familiar name): "busybox" or
     * "user/img" on Docker Hub, else "registry/path".
     */
    static String displayName(String registry, String path) {
        if (isHub(registry)) {
            return path.startsWith("library/") && path.indexOf('/', 8) < 0 ? path.substring(8) : path;
        }
        return registry + "/" + path;
    }
}
