package dev.skiff.engine.network;

import dev.skiff.agent.api.Endpoint;
import dev.skiff.agent.api.NetworkMode;
import dev.skiff.agent.api.PortForward;
import dev.skiff.agent.api.SetupNetworkRequest;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.engine.api.Backend.EndpointInfo;
import dev.skiff.engine.api.Backend.NetworkSpec;
import dev.skiff.engine.api.Backend.NetworkState;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.placement.UtilityVm;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * A container's network from its create to its end: the mode checked at create; at start an
 * address, the published ports and the namespace in the VM; at the end all of it given back.
 *
 * <p>Modes: {@code bridge} (Docker's default network: 172.17.0.0/16 behind a bridge in each VM,
 * out through the VM's uplink), {@code none} (loopback only) and {@code host} (the VM's own
 * namespace: under Skiff "the host" a container can share is its utility VM, never the real
 * host). User-defined networks and {@code container:ID} are not built yet and are refused.
 */
public final class Networking {
    public static final String BRIDGE = "bridge", NONE = "none", HOST = "host";
    /** The default bridge's subnet and gateway: Docker's. */
    public static final String BRIDGE_SUBNET = "172.17.0.0/16", BRIDGE_GATEWAY = "172.17.0.1";
    /** The default bridge's device in each VM. */
    static final String BRIDGE_DEVICE = "skiff0";
    /** The default bridge's network id: fixed, so that it is the same after a restart. */
    public static final String BRIDGE_ID = sha256("skiff/network/bridge");

    /** What a started container holds: its state for the API, its forwards, and the spec's view. */
    public record Attached(NetworkState state, List<PortPublisher.Forward> forwards, OciSpec.Network oci) {}

    private final Ipam bridge = new Ipam(BRIDGE_SUBNET, BRIDGE_GATEWAY);
    private final PortPublisher ports;
    private final SecureRandom random = new SecureRandom();

    public Networking(Consumer<String> log) {
        this.ports = new PortPublisher(log);
    }

    /**
     * At create: the spec with its mode normalized and the image's exposed ports merged in, or a
     * 400/404 naming what is wrong.
     */
    public NetworkSpec check(NetworkSpec spec, List<String> imageExposed) throws EngineException {
        String mode = spec.mode() == null || spec.mode().isEmpty() || spec.mode().equals("default") ? BRIDGE : spec.mode();
        if (mode.startsWith("container:")) {
            throw EngineException.invalid("--network " + mode + ": sharing another container's network is not "
                    + "supported by Skiff yet; put both on the default bridge and use the other's address");
        }
        if (!mode.equals(BRIDGE) && !mode.equals(NONE) && !mode.equals(HOST)) {
            throw EngineException.notFound("network " + mode + " not found (Skiff has the bridge, host and none networks; "
                    + "user-defined networks are not built yet)");
        }
        LinkedHashSet<String> exposed = new LinkedHashSet<>(imageExposed == null ? List.of() : imageExposed);
        exposed.addAll(spec.exposedPorts());
        NetworkSpec out = new NetworkSpec(mode, spec.portBindings(), List.copyOf(exposed), spec.publishAll(),
                spec.extraHosts());
        PortRequests.validate(out);
        HostFiles.validate(out.extraHosts());
        if (mode.equals(NONE) && !spec.portBindings().isEmpty()) {
            throw EngineException.invalid("conflicting options: port publishing and the container type network mode");
        }
        return out;
    }

    /**
     * At start, before the container exists in the guest: publishes its ports on the host, then
     * has the agent build its namespace. Undoes everything on failure.
     */
    public Attached attach(String containerId, String hostname, NetworkSpec spec, UtilityVm vm)
            throws EngineException, AgentException {
        SetupNetworkRequest.Builder q = SetupNetworkRequest.newBuilder().setContainerId(containerId)
                .setHostname(hostname + "\n").setResolvConf(HostFiles.resolvConf());
        switch (spec.mode()) {
            case NONE -> {
                q.setMode(NetworkMode.NAMESPACE).setHosts(HostFiles.hosts(hostname, null, spec.extraHosts()));
                String netns = vm.agent().setupNetwork(q.build());
                return new Attached(new NetworkState(NONE, List.of(), List.of(), netns), List.of(),
                        new OciSpec.Network(netns, true));
            }
            case HOST -> {
                // Docker discards published ports in host mode; so does Skiff.
                q.setMode(NetworkMode.VM_HOST).setHosts(HostFiles.hosts(hostname, null, spec.extraHosts()));
                vm.agent().setupNetwork(q.build());
                return new Attached(new NetworkState(HOST, List.of(), List.of(), ""), List.of(),
                        new OciSpec.Network(null, true));
            }
            default -> {
                return attachBridge(containerId, hostname, spec, vm, q);
            }
        }
    }

    private Attached attachBridge(String containerId, String hostname, NetworkSpec spec, UtilityVm vm,
            SetupNetworkRequest.Builder q) throws EngineException, AgentException {
        String ip = bridge.allocate();
        List<PortPublisher.Forward> forwards = List.of();
        boolean ok = false;
        try {
            forwards = ports.publish(vm, PortRequests.resolve(spec));
            String mac = Ipam.macFor(ip);
            int prefix = bridge.prefixLength();
            q.setMode(NetworkMode.NAMESPACE).setHosts(HostFiles.hosts(hostname, ip, spec.extraHosts()))
                    .addEndpoints(Endpoint.newBuilder().setBridge(BRIDGE_DEVICE)
                            .setGateway(BRIDGE_GATEWAY + "/" + prefix).setAddress(ip + "/" + prefix).setMac(mac)
                            .setIfname("eth0").setDefaultRoute(true));
            for (PortPublisher.Forward f : forwards) {
                q.addPorts(PortForward.newBuilder().setProtocol(f.protocol()).setGuestPort(f.guestPort())
                        .setAddress(ip).setContainerPort(f.containerPort()));
            }
            String netns = vm.agent().setupNetwork(q.build());
            EndpointInfo endpoint = new EndpointInfo(BRIDGE, BRIDGE_ID, newId(), ip, prefix, BRIDGE_GATEWAY, mac);
            NetworkState state = new NetworkState(BRIDGE, List.of(endpoint),
                    forwards.stream().map(PortPublisher.Forward::published).toList(), netns);
            ok = true;
            return new Attached(state, forwards, new OciSpec.Network(netns, true));
        } finally {
            if (!ok) {
                ports.unpublish(vm, forwards);
                bridge.release(ip);
            }
        }
    }

    /**
     * At the end of a run (exit, failed start, removal): the host ports, the namespace in the VM
     * (when the VM is still there) and the addresses go back.
     */
    public void detach(String containerId, NetworkState state, List<PortPublisher.Forward> forwards, UtilityVm vm,
            Consumer<String> log) {
        ports.unpublish(vm, forwards == null ? List.of() : forwards);
        if (vm != null && vm.alive()) {
            try {
                vm.agent().teardownNetwork(containerId);
            } catch (AgentException e) {
                log.accept("network teardown of " + containerId.substring(0, 12) + " in " + vm.name() + ": "
                        + e.getMessage());
            }
        }
        if (state != null) {
            for (EndpointInfo e : state.endpoints()) {
                if (e.network().equals(BRIDGE)) {
                    bridge.release(e.ipAddress());
                }
            }
        }
    }

    /** After a daemon restart: a running container's address and ports are taken again. */
    public void restore(NetworkState state, List<PortPublisher.Forward> forwards, UtilityVm vm) {
        if (state != null) {
            for (EndpointInfo e : state.endpoints()) {
                if (e.network().equals(BRIDGE)) {
                    bridge.reserve(e.ipAddress());
                }
            }
        }
        if (forwards != null) {
            for (PortPublisher.Forward f : forwards) {
                vm.claimGuestPort(f.protocol(), f.guestPort());
            }
        }
    }

    private String newId() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
