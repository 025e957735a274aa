package dev.skiff.engine.network;

import dev.skiff.agent.api.Endpoint;
import dev.skiff.agent.api.NetworkMode;
import dev.skiff.agent.api.PortForward;
import dev.skiff.agent.api.SetupNetworkRequest;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.engine.api.Backend.EndpointInfo;
import dev.skiff.engine.api.Backend.EndpointRequest;
import dev.skiff.engine.api.Backend.NetworkSpec;
import dev.skiff.engine.api.Backend.NetworkState;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.placement.UtilityVm;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A container's network from its create to its end: the mode checked at create; at start an
 * address on each network it joins, the published ports and the namespace in the VM; at the end
 * all of it given back.
 *
 * <p>Modes: {@code bridge} (Docker's default network: 172.17.0.0/16 behind a bridge in each VM,
 * out through the VM's uplink), a user-defined network (a bridge of its own in each VM, with its
 * gateway in every VM, so traffic out of a VM never crosses the daemon), {@code none} (loopback
 * only) and {@code host} (the VM's own namespace: under Skiff "the host" a container can share is
 * its utility VM, never the real host). {@code container:ID} is not built yet and is refused.
 */
public final class Networking {
    private static final Logger LOG = System.getLogger(Networking.class.getName());
    public static final String BRIDGE = NetworkRegistry.BRIDGE, NONE = NetworkRegistry.NONE,
            HOST = NetworkRegistry.HOST;

    /** What a started container holds: its state for the API, its forwards, and the spec's view. */
    public record Attached(NetworkState state, List<PortPublisher.Forward> forwards, OciSpec.Network oci) {
        /**
         * {@code --network container:ID}: nothing of its own, the other's namespace and /etc files
         * ({@code otherNetns} "" when that one runs in the VM's namespace).
         */
        public static Attached joining(String mode, String otherId, String otherNetns) {
            return new Attached(new NetworkState(mode, List.of(), List.of(), otherNetns), List.of(),
                    OciSpec.Network.joining(otherId, otherNetns.isEmpty() ? null : otherNetns));
        }
    }

    private final NetworkRegistry registry;
    private final PortPublisher ports;
    private final Fabric fabric;

    public Networking(NetworkRegistry registry, Fabric fabric) {
        this.registry = registry;
        this.fabric = fabric;
        this.ports = new PortPublisher();
    }

    public NetworkRegistry registry() {
        return registry;
    }

    /** Removes a user network and its segment between VMs; {@code inUse} as for the registry. */
    public void remove(String ref, java.util.function.Predicate<NetworkRegistry.Net> inUse) throws EngineException {
        NetworkRegistry.Net net = registry.find(ref);
        registry.remove(net.id(), inUse);
        fabric.removed(net);
    }

    /**
     * At create: the spec with its mode normalized and the image's exposed ports merged in, or a
     * 400/404 naming what is wrong (an unknown network, a bad port, a bad extra host).
     */
    public NetworkSpec check(NetworkSpec spec, List<String> imageExposed) throws EngineException {
        String mode = spec.mode() == null || spec.mode().isEmpty() || spec.mode().equals("default") ? BRIDGE : spec.mode();
        if (mode.startsWith("container:")) {
            // Checked against the container table by the engine; here only what Docker refuses.
            if (!spec.portBindings().isEmpty() || spec.publishAll()) {
                throw EngineException.invalid("conflicting options: port publishing and the container type network mode");
            }
            if (!spec.extraHosts().isEmpty()) {
                throw EngineException.invalid("conflicting options: custom host-to-IP mapping and the network mode");
            }
            if (spec.endpoints().keySet().stream().anyMatch(n -> !n.equals(mode) && !n.equals("default"))) {
                throw EngineException.invalid("container sharing network namespace with another container cannot be "
                        + "connected to any other network");
            }
            return new NetworkSpec(mode, Map.of(), List.of(), false, List.of(), Map.of());
        }
        known(mode);
        // The CLI names the default network "default" in EndpointsConfig too.
        java.util.Map<String, EndpointRequest> endpoints = new java.util.LinkedHashMap<>();
        spec.endpoints().forEach((name, e) -> endpoints.put(name.isEmpty() || name.equals("default") ? BRIDGE : name, e));
        for (String other : endpoints.keySet()) {
            known(other);
            if (!other.equals(mode) && (mode.equals(NONE) || mode.equals(HOST) || other.equals(NONE) || other.equals(HOST))) {
                throw EngineException.invalid("container cannot be connected to " + mode + " and " + other
                        + ": host and none networks cannot be combined with others");
            }
        }
        LinkedHashSet<String> exposed = new LinkedHashSet<>(imageExposed == null ? List.of() : imageExposed);
        exposed.addAll(spec.exposedPorts());
        NetworkSpec out = new NetworkSpec(mode, spec.portBindings(), List.copyOf(exposed), spec.publishAll(),
                spec.extraHosts(), endpoints);
        PortRequests.validate(out);
        HostFiles.validate(out.extraHosts());
        if (mode.equals(NONE) && !spec.portBindings().isEmpty()) {
            throw EngineException.invalid("conflicting options: port publishing and the container type network mode");
        }
        return out;
    }

    /**
     * A network named at create must exist. A 400, not dockerd's 404: the docker CLI reads a 404
     * from create as a missing image and pulls, hiding the real message behind the pull's.
     */
    private void known(String name) throws EngineException {
        try {
            registry.find(name);
        } catch (EngineException e) {
            if (e.kind() != EngineException.Kind.NOT_FOUND) {
                throw e;
            }
            throw EngineException.invalid(e.getMessage() + " (docker network ls lists the networks)");
        }
    }

    /** The networks a container joins, the mode's first. */
    public static List<String> networksOf(NetworkSpec spec) {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        names.add(spec.mode());
        names.addAll(spec.endpoints().keySet());
        return List.copyOf(names);
    }

    /**
     * At start, before the container exists in the guest: publishes its ports on the host, then
     * has the agent build its namespace. Undoes everything on failure.
     */
    public Attached attach(String containerId, String containerName, String hostname, NetworkSpec spec, UtilityVm vm)
            throws EngineException, AgentException {
        SetupNetworkRequest.Builder q = SetupNetworkRequest.newBuilder().setContainerId(containerId)
                .setHostname(hostname + "\n");
        switch (spec.mode()) {
            case NONE -> {
                q.setMode(NetworkMode.NAMESPACE).setHosts(HostFiles.hosts(hostname, null, spec.extraHosts()))
                        .setResolvConf(HostFiles.resolvConf());
                String netns = vm.agent().setupNetwork(q.build());
                return new Attached(new NetworkState(NONE, List.of(), List.of(), netns), List.of(),
                        new OciSpec.Network(netns, true));
            }
            case HOST -> {
                // Docker publishes nothing in host mode: the host's ports are the container's. Under
                // Skiff "host" is the VM, so a published port forwards the host's port straight to
                // the VM's own port of the same number, with no DNAT.
                List<PortPublisher.Forward> forwards = ports.publish(vm, PortRequests.resolve(spec), true);
                boolean ok = false;
                try {
                    q.setMode(NetworkMode.VM_HOST).setHosts(HostFiles.hosts(hostname, null, spec.extraHosts()))
                            .setResolvConf(HostFiles.resolvConf());
                    vm.agent().setupNetwork(q.build());
                    ok = true;
                    return new Attached(new NetworkState(HOST, List.of(),
                            forwards.stream().map(PortPublisher.Forward::published).toList(), ""), forwards,
                            new OciSpec.Network(null, true));
                } finally {
                    if (!ok) {
                        ports.unpublish(vm, forwards);
                    }
                }
            }
            default -> {
                return attachBridged(containerId, containerName, hostname, spec, vm, q);
            }
        }
    }

    private Attached attachBridged(String containerId, String containerName, String hostname, NetworkSpec spec,
            UtilityVm vm, SetupNetworkRequest.Builder q) throws EngineException, AgentException {
        List<EndpointInfo> endpoints = new ArrayList<>();
        List<PortPublisher.Forward> forwards = List.of();
        boolean ok = false;
        try {
            int index = 0;
            for (String name : networksOf(spec)) {
                NetworkRegistry.Net net = registry.find(name);
                if (!net.bridged()) {
                    throw EngineException.invalid("network " + name + " cannot be combined with others");
                }
                EndpointRequest want = spec.endpoints().getOrDefault(name, EndpointRequest.NONE);
                EndpointInfo info = endpointInfo(containerId, containerName, net, want, address(net, want),
                        "eth" + index);
                endpoints.add(info);
                q.addEndpoints(endpoint(net, info, index == 0, vm));
                index++;
            }
            String primaryIp = endpoints.getFirst().ipAddress();
            forwards = ports.publish(vm, PortRequests.resolve(spec), false);
            for (PortPublisher.Forward f : forwards) {
                q.addPorts(PortForward.newBuilder().setProtocol(f.protocol()).setGuestPort(f.guestPort())
                        .setAddress(primaryIp).setContainerPort(f.containerPort()));
            }
            NetworkRegistry.Net primary = registry.find(endpoints.getFirst().networkId());
            q.setMode(NetworkMode.NAMESPACE).setHosts(HostFiles.hosts(hostname, primaryIp, spec.extraHosts()))
                    .setResolvConf(primary.userDefined() ? HostFiles.resolvConf(primary.dnsAddress())
                            : HostFiles.resolvConf());
            String netns = vm.agent().setupNetwork(q.build());
            for (EndpointInfo e : endpoints) {
                NetworkRegistry.Net net = registry.find(e.networkId());
                if (net.userDefined()) {
                    fabric.admit(vm, net, e.macAddress(), e.ipAddress());
                }
            }
            NetworkState state = new NetworkState(spec.mode(), List.copyOf(endpoints),
                    forwards.stream().map(PortPublisher.Forward::published).toList(), netns);
            ok = true;
            return new Attached(state, forwards, new OciSpec.Network(netns, true));
        } finally {
            if (!ok) {
                ports.unpublish(vm, forwards);
                release(endpoints);
            }
        }
    }

    /**
     * docker network connect of a running container: an address on {@code net}, the VM's card on
     * it, and one more interface ({@code ifname}) in the container's namespace. Undone on failure.
     */
    public EndpointInfo connect(String containerId, String containerName, NetworkRegistry.Net net,
            EndpointRequest want, String ifname, UtilityVm vm) throws EngineException, AgentException {
        if (!net.bridged()) {
            throw EngineException.invalid("a running container cannot be connected to the " + net.name() + " network");
        }
        EndpointInfo info = endpointInfo(containerId, containerName, net, want, address(net, want), ifname);
        boolean ok = false;
        try {
            vm.agent().addEndpoint(containerId, endpoint(net, info, false, vm));
            if (net.userDefined()) {
                fabric.admit(vm, net, info.macAddress(), info.ipAddress());
            }
            ok = true;
            return info;
        } finally {
            if (!ok) {
                net.ipam().release(info.ipAddress());
            }
        }
    }

    /** A container's place on a network at {@code ip}: Docker's MAC, and on user networks its DNS names. */
    private EndpointInfo endpointInfo(String containerId, String containerName, NetworkRegistry.Net net,
            EndpointRequest want, String ip, String ifname) {
        List<String> dnsNames = new ArrayList<>();
        if (net.userDefined()) {
            dnsNames.add(containerName);
            dnsNames.addAll(want.aliases());
            dnsNames.add(containerId.substring(0, 12));
        }
        return new EndpointInfo(net.name(), net.id(), NetworkRegistry.newId(), ip, net.ipam().prefixLength(), net.meta().gateway(),
                Ipam.macFor(ip), net.userDefined() ? want.aliases() : List.of(), dnsNames, ifname);
    }

    /**
     * What the agent makes of an endpoint: the network's bridge with its gateway and gateway MAC,
     * and on user networks the VM's card to the switch (plugged now if the VM has none yet).
     */
    private Endpoint endpoint(NetworkRegistry.Net net, EndpointInfo e, boolean defaultRoute, UtilityVm vm)
            throws EngineException {
        int prefix = e.prefixLength();
        Endpoint.Builder ep = Endpoint.newBuilder().setBridge(net.device())
                .setGateway(e.gateway() + "/" + prefix).setAddress(e.ipAddress() + "/" + prefix)
                .setMac(e.macAddress()).setIfname(e.ifname()).setDefaultRoute(defaultRoute)
                .setBridgeMac(Ipam.macFor(e.gateway()));
        if (net.userDefined()) {
            try {
                ep.setNicMac(fabric.plug(vm, net));
            } catch (java.io.IOException x) {
                throw new EngineException(EngineException.Kind.INTERNAL, "cannot connect VM " + vm.name()
                        + " to network " + net.name() + ": " + x.getMessage(), x);
            }
        }
        return ep.build();
    }

    /** docker network disconnect of a running container: its interface on that network goes. */
    public void disconnect(String containerId, EndpointInfo endpoint, UtilityVm vm) throws AgentException {
        vm.agent().removeEndpoint(containerId, endpoint.ifname());
        release(List.of(endpoint));
    }

    /** The address asked for with --ip (checked and taken), or the network's next free one. */
    private static String address(NetworkRegistry.Net net, EndpointRequest want) throws EngineException {
        if (want.ipv4Address().isEmpty()) {
            return net.ipam().allocate();
        }
        if (net.builtin()) {
            throw EngineException.invalid("user specified IP address is supported on user defined networks only");
        }
        return net.ipam().take(want.ipv4Address());
    }

    private void release(List<EndpointInfo> endpoints) {
        for (EndpointInfo e : endpoints) {
            try {
                NetworkRegistry.Net net = registry.find(e.networkId());
                if (net.userDefined()) {
                    fabric.revoke(net, e.macAddress());
                }
                if (net.bridged()) {
                    net.ipam().release(e.ipAddress());
                }
            } catch (EngineException gone) {
                // the network was removed meanwhile: its addresses went with it
            }
        }
    }

    /**
     * At the end of a run (exit, failed start, removal): the host ports, the namespace in the VM
     * (when the VM is still there) and the addresses go back.
     */
    public void detach(String containerId, NetworkState state, List<PortPublisher.Forward> forwards, UtilityVm vm) {
        ports.unpublish(vm, forwards == null ? List.of() : forwards);
        if (vm != null && vm.alive()) {
            try {
                vm.agent().teardownNetwork(containerId);
            } catch (AgentException e) {
                LOG.log(Level.WARNING, "network teardown of " + containerId.substring(0, 12) + " in " + vm.name() + ": "
                        + e.getMessage());
            }
        }
        if (state != null) {
            release(state.endpoints());
        }
    }

    /** After a daemon restart: a running container's addresses and ports are taken again. */
    public void restore(NetworkState state, List<PortPublisher.Forward> forwards, UtilityVm vm) {
        if (state != null) {
            for (EndpointInfo e : state.endpoints()) {
                try {
                    NetworkRegistry.Net net = registry.find(e.networkId());
                    if (net.bridged()) {
                        net.ipam().reserve(e.ipAddress());
                    }
                    if (net.userDefined()) {
                        fabric.plug(vm, net);
                        fabric.admit(vm, net, e.macAddress(), e.ipAddress());
                    }
                } catch (EngineException gone) {
                    // removed while the daemon was down: nothing to take
                } catch (java.io.IOException vmGoing) {
                    // the VM is going away: its containers' exits will be reported
                }
            }
        }
        if (forwards != null) {
            for (PortPublisher.Forward f : forwards) {
                vm.claimGuestPort(f.protocol(), f.guestPort());
            }
        }
    }
}
