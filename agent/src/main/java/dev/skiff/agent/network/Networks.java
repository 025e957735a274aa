package dev.skiff.agent.network;

import dev.skiff.agent.api.AddEndpointRequest;
import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.api.NetworkMode;
import dev.skiff.agent.api.RemoveEndpointRequest;
import dev.skiff.agent.api.SetupNetworkRequest;
import dev.skiff.guest.Main;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The VM's container networking: the uplink (once, {@link VmUplink}), the bridges (once each,
 * {@link Bridges}), and each container's namespace, veths ({@link ContainerLinks}), /etc files
 * and published ports. One lock orders every change: changes are rare, and the nft map and the
 * bridges are shared by all containers. The one wait that can be long, for a hot-plugged network
 * card to appear, happens outside it; what was checked before it is checked again after it.
 *
 * <p>A setup validates everything first ({@link NetworkSpec}), then checks it against what other
 * containers hold, then replaces any earlier setup of the same container. It records what it is
 * about to make before making it, so a failure half-way is undone by the same teardown. An added
 * endpoint is recorded once it is made, and a failure half-way undoes only that endpoint's veth:
 * the container keeps running on its other endpoints.
 */
public final class Networks {
    /**
     * How long a setup waits for a network card the daemon hot-plugged just before: ACPI PCI
     * hot-plug and the virtio_net probe take seconds under TCG, more on a loaded host.
     */
    static final Duration NIC_WAIT = Duration.ofSeconds(60);

    private final CommandRunner runner;
    private final GuestSystem system;
    private final VmUplink uplink;
    private final Bridges bridges;
    private final ContainerLinks links;
    private final Map<String, Attachment> attached = new HashMap<>();

    Networks(CommandRunner runner, GuestSystem system) {
        this.runner = runner;
        this.system = system;
        this.uplink = new VmUplink(runner, system);
        this.bridges = new Bridges(runner, system);
        this.links = new ContainerLinks(runner, system);
    }

    /** The VM's: commands through the reaper, their output files under /run/skiff/net. */
    public static Networks inVm() {
        return new Networks(new ReaperCommandRunner(Path.of(GuestPaths.ROOT, "net")), new VmSystem());
    }

    /** SetupNetwork: returns the namespace's path, or "" in VM_HOST mode. */
    public String setup(SetupNetworkRequest request) throws TtrpcException {
        NetworkSpec spec;
        try {
            spec = NetworkSpec.parse(request);
        } catch (IllegalArgumentException e) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "network of container " + request.getContainerId() + ": "
                    + e.getMessage());
        }
        long start = System.nanoTime();
        synchronized (this) {
            if (spec.needsUplink()) {
                uplink.ensure(); // loads virtio_net too, without which no card appears
            }
            checkAgainstOthers(spec.containerId(), spec.endpoints(), spec.ports()); // a refusal is quick
        }
        awaitNics(spec.containerId(), spec.endpoints());
        synchronized (this) {
            return setupLocked(spec, start);
        }
    }

    /** Waits for the endpoints' network cards to appear, whether this call or an earlier one will enslave them. */
    private void awaitNics(String containerId, List<NetworkSpec.EndpointSpec> endpoints) throws TtrpcException {
        for (NetworkSpec.EndpointSpec e : endpoints) {
            if (e.nicMac().isEmpty()) {
                continue;
            }
            long t = System.nanoTime();
            try {
                String name = system.awaitNic(e.nicMac(), NIC_WAIT);
                Main.log("network: card " + e.nicMac() + " for bridge " + e.bridge() + " is " + name + ", found after "
                        + (System.nanoTime() - t) / 1_000_000 + " ms");
            } catch (IOException x) {
                throw precondition("network of container " + containerId + ": " + x.getMessage());
            }
        }
    }

    private String setupLocked(NetworkSpec spec, long start) throws TtrpcException {
        String id = spec.containerId();
        checkAgainstOthers(id, spec.endpoints(), spec.ports());
        teardown(id);
        Attachment a = Attachment.of(spec);
        attached.put(id, a);
        try {
            for (NetworkSpec.EndpointSpec e : spec.endpoints()) {
                bridges.ensure(e);
            }
            String netns = spec.mode() == NetworkMode.NAMESPACE ? links.makeNamespace(a) : "";
            system.writeEtcFiles(id, spec.hosts(), spec.resolvConf(), spec.hostname());
            if (!spec.ports().isEmpty()) {
                runner.run(NftRules.argv(), NftRules.addForwards(spec.ports()));
                attached.put(id, a.withPortsAdded());
            }
            Main.log("network of container " + id + ": " + spec.mode() + ", " + spec.endpoints().size()
                    + " endpoints, " + spec.ports().size() + " ports, in " + (System.nanoTime() - start) / 1_000_000 + " ms");
            return netns;
        } catch (IOException e) {
            try {
                teardown(id);
            } catch (TtrpcException undo) {
                e.addSuppressed(undo);
            }
            throw new TtrpcException(Code.INTERNAL, "failed to set up the network of container " + id + ": "
                    + e.getMessage());
        }
    }

    /**
     * AddEndpoint: one more veth into the namespace of a container set up in NAMESPACE mode, on a
     * bridge made now if the VM lacks it. Its default route and ports stay as they are.
     */
    public void addEndpoint(AddEndpointRequest request) throws TtrpcException {
        String id = request.getContainerId();
        NetworkSpec.EndpointSpec e;
        try {
            e = NetworkSpec.addedEndpoint(request);
        } catch (IllegalArgumentException x) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, "new endpoint of container " + id + ": " + x.getMessage());
        }
        long start = System.nanoTime();
        synchronized (this) {
            checkAddition(id, e);
            uplink.ensure(); // a container set up without endpoints may be the VM's first to need it
        }
        awaitNics(id, List.of(e));
        synchronized (this) {
            Attachment a = checkAddition(id, e); // the container may have been torn down or set up again meanwhile
            Attachment.Link link = new Attachment.Link(a.freeHostVeth(system::linkExists).orElseThrow(() ->
                    precondition("container " + id + " has no free veth name left")), e);
            try {
                bridges.ensure(e);
                links.addVeth(GuestPaths.netns(id), link);
            } catch (IOException x) {
                throw new TtrpcException(Code.INTERNAL, "failed to add endpoint " + e.ifname() + " on bridge " + e.bridge()
                        + " to container " + id + ": " + x.getMessage());
            }
            attached.put(id, a.with(link));
            Main.log("network of container " + id + ": added " + e.ifname() + " on bridge " + e.bridge() + " in "
                    + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
    }

    /** Refuses an endpoint the container cannot take now; returns the container's attachment. */
    private Attachment checkAddition(String id, NetworkSpec.EndpointSpec e) throws TtrpcException {
        Attachment a = attached.get(id);
        if (a == null) {
            throw new TtrpcException(Code.NOT_FOUND, "container " + id + " has no network set up");
        }
        if (a.spec().mode() != NetworkMode.NAMESPACE) {
            throw precondition("container " + id + " runs in the VM's own namespace (" + a.spec().mode()
                    + "): it takes no endpoints");
        }
        for (Attachment.Link l : a.links()) {
            // what SetupNetwork's checkDistinct refuses within one request, refused here against the container's
            if (l.endpoint().ifname().equals(e.ifname())) {
                throw new TtrpcException(Code.ALREADY_EXISTS, "container " + id + " has an interface " + e.ifname());
            }
            if (l.endpoint().bridge().equals(e.bridge())) {
                throw new TtrpcException(Code.ALREADY_EXISTS, "container " + id + " is on bridge " + e.bridge()
                        + " already, as " + l.endpoint().ifname());
            }
        }
        if (a.links().size() >= NetworkSpec.MAX_ENDPOINTS) {
            throw precondition("container " + id + " has " + NetworkSpec.MAX_ENDPOINTS + " endpoints, the most it may");
        }
        checkAgainstOthers(id, List.of(e), List.of());
        return a;
    }

    /**
     * RemoveEndpoint: the endpoint's veth goes; its bridge stays. Not the endpoint that carries
     * the default route, nor one whose address a port is published to: both stay as the setup
     * made them (agent.proto), and the container would be left without its way out or its port.
     */
    public synchronized void removeEndpoint(RemoveEndpointRequest request) throws TtrpcException {
        String id = checkId(request.getContainerId());
        Attachment a = attached.get(id);
        if (a == null) {
            throw new TtrpcException(Code.NOT_FOUND, "container " + id + " has no network set up");
        }
        Attachment.Link link = a.link(request.getIfname()).orElseThrow(() -> new TtrpcException(Code.NOT_FOUND,
                "container " + id + " has no endpoint " + request.getIfname()));
        NetworkSpec.EndpointSpec e = link.endpoint();
        if (e.defaultRoute()) {
            throw precondition(e.ifname() + " carries container " + id + "'s default route: stop the container first");
        }
        for (NetworkSpec.ForwardSpec f : a.spec().ports()) {
            if (f.address().equals(e.address().address())) {
                throw precondition("port " + f.protocol() + "/" + f.guestPort() + " is published to " + e.ifname()
                        + "'s address " + f.address() + ": stop the container first");
            }
        }
        try {
            links.removeVeth(link.hostVeth());
        } catch (IOException x) {
            throw new TtrpcException(Code.INTERNAL, "failed to remove endpoint " + e.ifname() + " of container " + id
                    + ": " + x.getMessage());
        }
        attached.put(id, a.without(link));
        Main.log("network of container " + id + ": removed " + e.ifname() + " from bridge " + e.bridge());
    }

    /**
     * TeardownNetwork: removes what {@link #setup} and {@link #addEndpoint} made for the
     * container; unknown ids succeed. Every veth name of the container is tried, not only the
     * recorded ones: an added endpoint whose undo failed is not recorded but may be there.
     */
    public synchronized void teardown(String containerId) throws TtrpcException {
        checkId(containerId);
        Attachment a = attached.remove(containerId);
        if (a == null) {
            return;
        }
        List<String> failures = new ArrayList<>();
        if (a.portsAdded()) {
            attempt(failures, () -> runner.run(NftRules.argv(), NftRules.deleteForwards(a.spec().ports())));
        }
        for (int i = 0; i < IpCommands.VETH_SLOTS; i++) {
            String veth = IpCommands.hostVeth(containerId, i);
            attempt(failures, () -> links.removeVeth(veth));
        }
        if (a.spec().mode() == NetworkMode.NAMESPACE) {
            attempt(failures, () -> system.removeNetns(GuestPaths.netns(containerId)));
        }
        attempt(failures, () -> system.removeEtcFiles(containerId));
        if (!failures.isEmpty()) {
            throw new TtrpcException(Code.INTERNAL, "failed to tear down the network of container " + containerId
                    + ": " + String.join("; ", failures));
        }
    }

    private static String checkId(String containerId) throws TtrpcException {
        try {
            return GuestPaths.checkId(containerId, "container id");
        } catch (IllegalArgumentException e) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, e.getMessage());
        }
    }

    private interface Step {
        void run() throws IOException;
    }

    /** Runs a teardown step, noting its failure and going on: the other steps still free what they can. */
    private static void attempt(List<String> failures, Step step) {
        try {
            step.run();
        } catch (IOException e) {
            failures.add(e.getMessage());
        }
    }

    /** Refuses what would clash with other containers' networks: bridges, addresses, published ports. */
    private void checkAgainstOthers(String id, List<NetworkSpec.EndpointSpec> endpoints,
            List<NetworkSpec.ForwardSpec> ports) throws TtrpcException {
        for (NetworkSpec.EndpointSpec e : endpoints) {
            bridges.check(e);
        }
        for (Attachment a : attached.values()) {
            if (!a.containerId().equals(id)) { // its own: replaced by a setup, on other bridges than an added endpoint
                a.refuseClashes(endpoints, ports);
            }
        }
    }

    private static TtrpcException precondition(String message) {
        return new TtrpcException(Code.FAILED_PRECONDITION, message);
    }
}
