package dev.skiff.engine.network;

import dev.skiff.engine.api.Backend.NetworkSpec;
import dev.skiff.engine.api.Backend.PortBinding;
import dev.skiff.engine.api.EngineException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ports a container publishes, read from HostConfig.PortBindings, ExposedPorts and
 * PublishAllPorts, checked once at create so that a bad port is a 400 there and never a
 * half-published container at start.
 */
public final class PortRequests {
    private PortRequests() {}

    /**
     * One host side for one container port. {@code hostPortLow == 0}: a free port; a range
     * ({@code -p 8000-8010:80}) takes the first free port in it.
     */
    public record Request(String protocol, int containerPort, String hostIp, int hostPortLow, int hostPortHigh) {
        public String key() {
            return containerPort + "/" + protocol;
        }
    }

    private static final Pattern KEY = Pattern.compile("(\\d+)(?:/(tcp|udp|sctp))?");
    private static final Pattern HOST_PORT = Pattern.compile("(\\d+)(?:-(\\d+))?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** Checks every key, port and address of the spec; throws Docker's kind of 400. */
    public static void validate(NetworkSpec spec) throws EngineException {
        resolve(spec);
        for (String port : spec.exposedPorts()) {
            parseKey(port);
        }
    }

    /** What to publish: the explicit bindings, then (with -P) every exposed port without one. */
    public static List<Request> resolve(NetworkSpec spec) throws EngineException {
        List<Request> out = new ArrayList<>();
        Set<String> bound = new LinkedHashSet<>();
        for (Map.Entry<String, List<PortBinding>> e : spec.portBindings().entrySet()) {
            String[] key = parseKey(e.getKey());
            int containerPort = Integer.parseInt(key[0]);
            String proto = key[1];
            bound.add(containerPort + "/" + proto);
            List<PortBinding> bindings = e.getValue() == null || e.getValue().isEmpty()
                    ? List.of(new PortBinding("", "")) : e.getValue();
            for (PortBinding b : bindings) {
                String ip = b.hostIp() == null ? "" : b.hostIp();
                if (ip.equals("0.0.0.0")) {
                    ip = "";
                }
                if (!ip.isEmpty() && !IPV4.matcher(ip).matches()) {
                    throw EngineException.invalid("invalid host IP \"" + ip + "\" for port " + e.getKey()
                            + ": Skiff publishes on IPv4 addresses (or all of them, with none given)");
                }
                int[] range = parseHostPort(b.hostPort() == null ? "" : b.hostPort());
                out.add(new Request(proto, containerPort, ip, range[0], range[1]));
            }
        }
        if (spec.publishAll()) {
            for (String exposed : spec.exposedPorts()) {
                String[] key = parseKey(exposed);
                if (bound.add(Integer.parseInt(key[0]) + "/" + key[1])) {
                    out.add(new Request(key[1], Integer.parseInt(key[0]), "", 0, 0));
                }
            }
        }
        return out;
    }

    /** "80/tcp" (or "80", meaning tcp) as {port, protocol}. */
    static String[] parseKey(String key) throws EngineException {
        Matcher m = KEY.matcher(key == null ? "" : key);
        if (!m.matches()) {
            throw EngineException.invalid("invalid port specification: \"" + key + "\"");
        }
        int port = port(m.group(1), key);
        if (port == 0) {
            throw EngineException.invalid("invalid port specification: \"" + key + "\": port must be 1-65535");
        }
        String proto = m.group(2) == null ? "tcp" : m.group(2);
        if (proto.equals("sctp")) {
            throw EngineException.invalid("port " + key + ": SCTP is not supported by Skiff (QEMU's user networking carries TCP and UDP)");
        }
        return new String[] {Integer.toString(port), proto};
    }

    private static int[] parseHostPort(String hostPort) throws EngineException {
        if (hostPort.isEmpty()) {
            return new int[] {0, 0};
        }
        Matcher m = HOST_PORT.matcher(hostPort);
        if (!m.matches()) {
            throw EngineException.invalid("invalid hostPort: " + hostPort);
        }
        int low = port(m.group(1), hostPort);
        int high = m.group(2) == null ? low : port(m.group(2), hostPort);
        if (high < low || (low == 0 && high != 0)) {
            throw EngineException.invalid("invalid hostPort: " + hostPort);
        }
        return new int[] {low, high};
    }

    private static int port(String digits, String whole) throws EngineException {
        if (digits.length() > 5 || Integer.parseInt(digits) > 65535) {
            throw EngineException.invalid("invalid port \"" + whole + "\": ports are 1-65535");
        }
        return Integer.parseInt(digits);
    }
}
