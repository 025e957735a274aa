package dev.skiff.engine;

import dev.skiff.agent.client.AgentException;
import dev.skiff.engine.api.Backend;
import dev.skiff.engine.api.Backend.EndpointRequest;
import dev.skiff.engine.api.Backend.NetworkCreate;
import dev.skiff.engine.api.Backend.NetworkInfo;
import dev.skiff.engine.api.Backend.NetworkMember;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.container.Container;
import dev.skiff.engine.container.ContainerTable;
import dev.skiff.engine.network.LabelFilter;
import dev.skiff.engine.network.NetworkRegistry;
import dev.skiff.engine.network.Networking;
import dev.skiff.engine.placement.UtilityVm;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The network half of the Docker API over the engine's container table: networks listed with
 * their containers, created, removed and pruned, and containers connected and disconnected
 * (stopped ones in their spec; running ones in their VM at once, and in their spec for later runs).
 */
final class NetworkApi {
    private static final Logger LOG = System.getLogger(NetworkApi.class.getName());
    private final Networking networking;
    private final ContainerTable containers;
    private final Consumer<Container> save;

    NetworkApi(Networking networking, ContainerTable containers, Consumer<Container> save) {
        this.networking = networking;
        this.containers = containers;
        this.save = save;
    }


    List<NetworkInfo> networks() {
        return networking.registry().all().stream().map(this::networkInfo).toList();
    }

    NetworkInfo inspectNetwork(String ref) throws EngineException {
        return networkInfo(networking.registry().find(ref));
    }

    private NetworkInfo networkInfo(NetworkRegistry.Net n) {
        Map<String, NetworkMember> members = new LinkedHashMap<>();
        for (Container c : containers.all()) {
            for (Backend.EndpointInfo e : c.endpointsOn(n.id())) {
                members.put(c.id, new NetworkMember(c.name, e.endpointId(), e.macAddress(),
                        e.ipAddress() + "/" + e.prefixLength()));
            }
        }
        var m = n.meta();
        return new NetworkInfo(m.id(), m.name(), m.driver(), m.subnet(), m.gateway(), Instant.parse(m.created()),
                m.internal(), m.attachable(), m.labels(), m.options(), n.builtin(), members);
    }

    String createNetwork(NetworkCreate request) throws EngineException {
        String id = networking.registry().create(request).id();
        LOG.log(Level.INFO, "network " + request.name() + " created (" + id.substring(0, 12) + ")");
        return id;
    }

    void removeNetwork(String ref) throws EngineException {
        networking.remove(ref, n -> containers.all().stream().anyMatch(c -> !c.endpointsOn(n.id()).isEmpty()));
    }

    List<String> pruneNetworks(Map<String, List<String>> filters) throws EngineException {
        for (String key : filters.keySet()) {
            if (!key.equals("label") && !key.equals("until")) {
                throw EngineException.invalid("invalid filter '" + key + "'");
            }
        }
        List<String> removed = new ArrayList<>();
        for (NetworkRegistry.Net n : networking.registry().all()) {
            if (n.builtin() || !LabelFilter.matches(n.meta().labels(), filters.getOrDefault("label", List.of()))) {
                continue;
            }
            boolean referenced = containers.all().stream().anyMatch(c -> referencesNetwork(c, n));
            if (!referenced) {
                try {
                    networking.remove(n.id(), x -> false);
                    removed.add(n.name());
                } catch (EngineException e) {
                    // removed meanwhile
                }
            }
        }
        return removed;
    }

    private static boolean referencesNetwork(Container c, NetworkRegistry.Net n) {
        for (String name : Networking.networksOf(c.spec.networkOrDefault())) {
            if (name.equals(n.name()) || name.equals(n.id())) {
                return true;
            }
        }
        return !c.endpointsOn(n.id()).isEmpty();
    }

    void connectNetwork(String network, String ref, EndpointRequest endpoint) throws EngineException {
        NetworkRegistry.Net net = networking.registry().find(network);
        Container c = containers.find(ref);
        if (c.running()) {
            connectRunning(net, c, endpoint == null ? EndpointRequest.NONE : endpoint);
            return;
        }
        synchronized (c) {
            Backend.NetworkSpec spec = c.spec.networkOrDefault();
            if (Networking.networksOf(spec).contains(net.name())) {
                throw EngineException.conflict("endpoint with name " + c.name + " already exists in network " + net.name());
            }
            Map<String, EndpointRequest> endpoints = new LinkedHashMap<>(spec.endpoints());
            endpoints.put(net.name(), endpoint == null ? EndpointRequest.NONE : endpoint);
            Backend.NetworkSpec next = spec.withEndpoints(endpoints);
            if (spec.mode().equals(Networking.NONE) && spec.endpoints().isEmpty()) {
                // No network left, typically after disconnecting its only one: compose creates each container on
                // its network, disconnects it, and connects it again with its aliases. The network becomes its
                // mode again. (Docker would refuse this for a container created with --network none.)
                next = new Backend.NetworkSpec(net.name(), spec.portBindings(), spec.exposedPorts(),
                        spec.publishAll(), spec.extraHosts(), endpoints);
            }
            c.spec = c.spec.withNetwork(networking.check(next, List.of()));
        }
        save.accept(c);
    }

    void disconnectNetwork(String network, String ref, boolean force) throws EngineException {
        NetworkRegistry.Net net = networking.registry().find(network);
        Container c = containers.find(ref);
        if (c.running()) {
            disconnectRunning(net, c);
            return;
        }
        synchronized (c) {
            Backend.NetworkSpec spec = c.spec.networkOrDefault();
            Map<String, EndpointRequest> endpoints = new LinkedHashMap<>(spec.endpoints());
            boolean had = endpoints.remove(net.name()) != null | endpoints.remove(net.id()) != null;
            String mode = spec.mode();
            if (mode.equals(net.name()) || mode.equals(net.id())) {
                // Docker leaves the container with no network at all; so does Skiff: "none".
                mode = endpoints.isEmpty() ? Networking.NONE : endpoints.keySet().iterator().next();
                had = true;
            }
            if (!had) {
                throw EngineException.notFound("container " + c.name + " is not connected to network " + net.name());
            }
            // the port bindings stay: a network connected again (compose does so at once) publishes them again
            c.spec = c.spec.withNetwork(new Backend.NetworkSpec(mode, spec.portBindings(), spec.exposedPorts(),
                    spec.publishAll(), spec.extraHosts(), endpoints));
        }
        save.accept(c);
    }

    /** docker network connect of a running container: one more interface now, and in its spec for later runs. */
    private void connectRunning(NetworkRegistry.Net net, Container c, EndpointRequest endpoint) throws EngineException {
        UtilityVm vm = containers.vm(c.id);
        Backend.NetworkState state;
        synchronized (c) {
            state = c.network;
        }
        String mode = state.mode();
        if (vm == null || mode.equals(Networking.HOST) || mode.equals(Networking.NONE) || mode.startsWith("container:")) {
            throw EngineException.invalid("container " + c.name + " runs in the " + mode
                    + " network mode and cannot be connected to other networks");
        }
        if (!c.endpointsOn(net.id()).isEmpty()) {
            throw EngineException.conflict("endpoint with name " + c.name + " already exists in network " + net.name());
        }
        int next = 0;
        for (Backend.EndpointInfo e : state.endpoints()) {
            if (e.ifname().startsWith("eth")) {
                next = Math.max(next, Integer.parseInt(e.ifname().substring(3)) + 1);
            }
        }
        Backend.EndpointInfo added;
        try {
            added = networking.connect(c.id, c.name, net, endpoint, "eth" + next, vm);
        } catch (AgentException e) {
            throw new EngineException(AgentErrors.kind(e), "connect " + c.name + " to " + net.name() + ": "
                    + e.getMessage(), e);
        }
        synchronized (c) {
            List<Backend.EndpointInfo> all = new ArrayList<>(c.network.endpoints());
            all.add(added);
            c.network = new Backend.NetworkState(c.network.mode(), all, c.network.ports(), c.network.sandboxKey());
            Map<String, EndpointRequest> eps = new LinkedHashMap<>(c.spec.networkOrDefault().endpoints());
            eps.put(net.name(), endpoint);
            c.spec = c.spec.withNetwork(c.spec.networkOrDefault().withEndpoints(eps));
        }
        save.accept(c);
        LOG.log(Level.INFO, "container " + c.id.substring(0, 12) + " connected to " + net.name() + " as "
                + added.ipAddress());
    }

    private void disconnectRunning(NetworkRegistry.Net net, Container c) throws EngineException {
        UtilityVm vm = containers.vm(c.id);
        Backend.EndpointInfo gone = c.endpointsOn(net.id()).stream().findFirst().orElse(null);
        if (gone == null || vm == null) {
            throw EngineException.notFound("container " + c.name + " is not connected to network " + net.name());
        }
        if (gone.ifname().isEmpty() || gone.ifname().equals("eth0")) {
            throw EngineException.invalid("disconnecting a running container from its first network (" + net.name()
                    + ") is not supported by Skiff: stop it first");
        }
        try {
            networking.disconnect(c.id, gone, vm);
        } catch (AgentException e) {
            throw new EngineException(AgentErrors.kind(e), "disconnect " + c.name + " from " + net.name() + ": "
                    + e.getMessage(), e);
        }
        synchronized (c) {
            List<Backend.EndpointInfo> rest = new ArrayList<>(c.network.endpoints());
            rest.remove(gone);
            c.network = new Backend.NetworkState(c.network.mode(), rest, c.network.ports(), c.network.sandboxKey());
            Map<String, EndpointRequest> eps = new LinkedHashMap<>(c.spec.networkOrDefault().endpoints());
            eps.remove(net.name());
            eps.remove(net.id());
            c.spec = c.spec.withNetwork(c.spec.networkOrDefault().withEndpoints(eps));
        }
        save.accept(c);
    }
}
