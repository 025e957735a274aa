package dev.skiff.engine.network;

import dev.skiff.engine.api.Backend.NetworkCreate;
import dev.skiff.engine.api.EngineException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Every network the daemon knows: Docker's three built-in ones and the user-defined ones (kept in
 * {@link NetworkStore}), each bridged network with its address allocator. Networks are found as
 * Docker finds them: by full name, full id, or a unique id prefix. Thread-safe.
 */
public final class NetworkRegistry {
    public static final String BRIDGE = "bridge", NONE = "none", HOST = "host";
    /** The default bridge's subnet and gateway: Docker's. */
    public static final String BRIDGE_SUBNET = "172.17.0.0/16", BRIDGE_GATEWAY = "172.17.0.1";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}");

    /**
     * A network: what is kept of it, and for bridged ones the subnet, the allocator, the bridge's
     * device name in every VM and the address where the daemon answers DNS (user networks only:
     * the default bridge has no name service, as in Docker).
     */
    public record Net(NetworkStore.Stored meta, boolean builtin, Subnets.Cidr cidr, Ipam ipam, String device,
                      String dnsAddress) {
        public String id() {
            return meta.id();
        }

        public String name() {
            return meta.name();
        }

        public boolean bridged() {
            return ipam != null;
        }

        /** User networks answer names; the default bridge does not. */
        public boolean userDefined() {
            return !builtin;
        }
    }

    private final NetworkStore store;
    private final Map<String, Net> byId = new LinkedHashMap<>(); // guarded by this
    private static final SecureRandom RANDOM = new SecureRandom();

    /** @param dir where networks.json lives; null keeps user networks in memory only */
    public NetworkRegistry(Path dir) throws IOException {
        this.store = new NetworkStore(dir);
        String zero = Instant.EPOCH.toString();
        add(new NetworkStore.Stored(idOf(BRIDGE), BRIDGE, "bridge", BRIDGE_SUBNET, BRIDGE_GATEWAY, zero, false, false,
                Map.of(), Map.of("com.docker.network.bridge.default_bridge", "true")), true);
        add(new NetworkStore.Stored(idOf(HOST), HOST, "host", "", "", zero, false, false, Map.of(), Map.of()), true);
        add(new NetworkStore.Stored(idOf(NONE), NONE, "null", "", "", zero, false, false, Map.of(), Map.of()), true);
        for (NetworkStore.Stored s : store.load()) {
            add(s, false);
        }
    }

    private void add(NetworkStore.Stored s, boolean builtin) {
        Net n;
        if (s.subnet().isEmpty()) {
            n = new Net(s, builtin, null, null, "", "");
        } else {
            Subnets.Cidr cidr;
            try {
                cidr = Subnets.Cidr.parse(s.subnet());
            } catch (EngineException e) {
                throw new IllegalStateException("stored network " + s.name() + " has a bad subnet: " + e.getMessage());
            }
            Ipam ipam = new Ipam(s.subnet(), s.gateway());
            String dns = "";
            if (!builtin) {
                dns = cidr.lastHost();
                ipam.reserve(dns);
            }
            String device = builtin ? "skiff0" : "br-" + s.id().substring(0, 12);
            n = new Net(s, builtin, cidr, ipam, device, dns);
        }
        byId.put(s.id(), n);
    }

    public synchronized List<Net> all() {
        return List.copyOf(byId.values());
    }

    /** By full name, full id, or unique id prefix; a 404 naming the network otherwise. */
    public synchronized Net find(String ref) throws EngineException {
        if (ref == null || ref.isEmpty()) {
            throw EngineException.notFound("network name is empty");
        }
        for (Net n : byId.values()) {
            if (n.name().equals(ref) || n.id().equals(ref)) {
                return n;
            }
        }
        Net match = null;
        for (Net n : byId.values()) {
            if (n.id().startsWith(ref)) {
                if (match != null) {
                    throw EngineException.invalid("network " + ref + " is ambiguous (" + match.id() + " and " + n.id() + ")");
                }
                match = n;
            }
        }
        if (match == null) {
            throw EngineException.notFound("network " + ref + " not found");
        }
        return match;
    }

    public synchronized Net create(NetworkCreate q) throws EngineException {
        if (q.name() == null || !NAME.matcher(q.name()).matches()) {
            throw EngineException.invalid("invalid network name \"" + q.name() + "\": use letters, digits, '_', '.' and '-'");
        }
        for (Net n : byId.values()) {
            if (n.name().equals(q.name())) {
                throw EngineException.conflict("network with name " + q.name() + " already exists");
            }
        }
        String driver = q.driver() == null || q.driver().isEmpty() ? "bridge" : q.driver();
        if (!driver.equals("bridge")) {
            throw EngineException.invalid("network driver \"" + driver + "\" is not supported by Skiff: use bridge");
        }
        List<Subnets.Cidr> taken = new ArrayList<>(List.of(Subnets.uplink()));
        for (Net n : byId.values()) {
            if (n.cidr() != null) {
                taken.add(n.cidr());
            }
        }
        Subnets.Cidr cidr;
        if (q.subnet() == null || q.subnet().isEmpty()) {
            if (q.gateway() != null && !q.gateway().isEmpty()) {
                throw EngineException.invalid("a gateway needs a subnet: give --subnet too");
            }
            cidr = Subnets.nextFree(taken);
        } else {
            cidr = Subnets.Cidr.parse(q.subnet());
            if (cidr.overlaps(Subnets.uplink())) {
                throw EngineException.invalid("invalid pool request: " + cidr + " overlaps " + Subnets.uplink()
                        + ", the utility VMs' uplink network; choose another subnet");
            }
            for (Net n : byId.values()) {
                if (n.cidr() != null && n.cidr().overlaps(cidr)) {
                    throw EngineException.invalid("invalid pool request: Pool overlaps with other one on this address "
                            + "space (" + cidr + " overlaps " + n.cidr() + " of network " + n.name() + ")");
                }
            }
        }
        String gateway = q.gateway() == null || q.gateway().isEmpty() ? cidr.firstHost() : q.gateway();
        try {
            int g = Ipam.toInt(gateway);
            if (!cidr.contains(g) || gateway.equals(cidr.lastHost()) || g == cidr.base()) {
                throw EngineException.invalid("gateway " + gateway + " must be a host address of " + cidr
                        + " other than its last (" + cidr.lastHost() + ", where Skiff answers DNS)");
            }
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid("invalid gateway " + gateway + ": " + e.getMessage());
        }
        String id = newId();
        NetworkStore.Stored s = new NetworkStore.Stored(id, q.name(), driver, cidr.toString(), gateway,
                Instant.now().toString(), q.internal(), q.attachable(), q.labels(), q.options());
        add(s, false);
        persist();
        return byId.get(id);
    }

    /** Removes a user network; {@code inUse} says whether a running container is on it. */
    public synchronized void remove(String ref, Predicate<Net> inUse) throws EngineException {
        Net n = find(ref);
        if (n.builtin()) {
            throw EngineException.invalid(n.name() + " is a pre-defined network and cannot be removed");
        }
        if (inUse.test(n)) {
            throw EngineException.conflict("error while removing network: network " + n.name() + " id " + n.id()
                    + " has active endpoints (stop or disconnect its containers first)");
        }
        byId.remove(n.id());
        persist();
    }

    private void persist() throws EngineException {
        List<NetworkStore.Stored> user = byId.values().stream().filter(n -> !n.builtin()).map(Net::meta).toList();
        try {
            store.save(user);
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "cannot save the networks: " + e.getMessage(), e);
        }
    }

    /** A new network or endpoint id: 64 hex digits, as Docker's. */
    static String newId() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Built-in networks' ids: fixed, so they are the same after a restart. */
    static String idOf(String name) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(("skiff/network/" + name).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
