package dev.skiff.agent.network;

import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.agent.api.GuestPaths;
import dev.skiff.agent.api.NetworkMode;
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
 * The VM's container networking: the uplink (once), the bridges (once each, {@link Bridges}),
 * and each container's namespace, veths, /etc files and published ports. One lock orders every
 * change: changes are rare, and the nft map and the bridges are shared by all containers. The
 * one wait that can be long, for a hot-plugged network card to appear, happens outside it.
 *
 * <p>A setup validates everything first ({@link NetworkSpec}), then checks it against what other
 * containers hold, then replaces any earlier setup of the same container. It records what it is
 * about to make before making it, so a failure half-way is undone by the same teardown.
 */
public final class Networks {
    /** What one container holds: its spec, and whether its ports are in the map yet. */
    private record Attachment(NetworkSpec spec, boolean portsAdded) {}

    /**
     * How long a setup waits for a network card the daemon hot-plugged just before: ACPI PCI
     * hot-plug and the virtio_net probe take seconds under TCG, more on a loaded host.
     */
    static final Duration NIC_WAIT = Duration.ofSeconds(60);

    private final CommandRunner runner;
    private final GuestSystem system;
    private final Bridges bridges;
    private final Map<String, Attachment> attached = new HashMap<>();
    private boolean modulesLoaded, uplinkUp;

    Networks(CommandRunner runner, GuestSystem system) {
        this.runner = runner;
        this.system = system;
        this.bridges = new Bridges(runner, system);
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
                ensureUplink(); // loads virtio_net too, without which no card appears
            }
            checkAgainstOthers(spec); // before the wait, so a refusal is quick; again after it
        }
        awaitNics(spec);
        synchronized (this) {
            return setupLocked(spec, start);
        }
    }

    /** Waits for the endpoints' network cards to appear, whether this setup or an earlier one will enslave them. */
    private void awaitNics(NetworkSpec spec) throws TtrpcException {
        for (NetworkSpec.EndpointSpec e : spec.endpoints()) {
            if (e.nicMac().isEmpty()) {
                continue;
            }
            long t = System.nanoTime();
            try {
                String name = system.awaitNic(e.nicMac(), NIC_WAIT);
                Main.log("network: card " + e.nicMac() + " for bridge " + e.bridge() + " is " + name + ", found after "
                        + (System.nanoTime() - t) / 1_000_000 + " ms");
            } catch (IOException x) {
                throw precondition("network of container " + spec.containerId() + ": " + x.getMessage());
            }
        }
    }

    private String setupLocked(NetworkSpec spec, long start) throws TtrpcException {
        String id = spec.containerId();
        checkAgainstOthers(spec);
        teardown(id);
        attached.put(id, new Attachment(spec, false));
        try {
            for (NetworkSpec.EndpointSpec e : spec.endpoints()) {
                bridges.ensure(e);
            }
            String netns = spec.mode() == NetworkMode.NAMESPACE ? makeNamespace(spec) : "";
            system.writeEtcFiles(id, spec.hosts(), spec.resolvConf(), spec.hostname());
            if (!spec.ports().isEmpty()) {
                runner.run(NftRules.argv(), NftRules.addForwards(spec.ports()));
                attached.put(id, new Attachment(spec, true));
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

    /** TeardownNetwork: removes what {@link #setup} made for the container; unknown ids succeed. */
    public synchronized void teardown(String containerId) throws TtrpcException {
        try {
            GuestPaths.checkId(containerId, "container id");
        } catch (IllegalArgumentException e) {
            throw new TtrpcException(Code.INVALID_ARGUMENT, e.getMessage());
        }
        Attachment a = attached.remove(containerId);
        if (a == null) {
            return;
        }
        List<String> failures = new ArrayList<>();
        if (a.portsAdded()) {
            attempt(failures, () -> runner.run(NftRules.argv(), NftRules.deleteForwards(a.spec().ports())));
        }
        for (int i = 0; i < a.spec().endpoints().size(); i++) {
            String veth = IpCommands.hostVeth(containerId, i);
            if (system.linkExists(veth)) {
                attempt(failures, () -> runner.run(IpCommands.delete(veth), null));
            }
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

    /** The first request that needs it loads the modules and configures the uplink. */
    private void ensureUplink() throws TtrpcException {
        if (uplinkUp) {
            return;
        }
        try {
            if (!modulesLoaded) {
                long t = System.nanoTime();
                system.loadNetModules();
                modulesLoaded = true;
                Main.log("network: loaded the network modules in " + (System.nanoTime() - t) / 1_000_000 + " ms");
            }
            String nic = system.linkWithMac(GuestNetwork.UPLINK_MAC).orElseThrow(() -> new TtrpcException(
                    Code.FAILED_PRECONDITION, "this VM has no uplink network card (MAC " + GuestNetwork.UPLINK_MAC
                    + "): it was started without one, so only NAMESPACE mode without endpoints is possible"));
            for (List<String> argv : IpCommands.uplinkUp(nic)) {
                runner.run(argv, null);
            }
            system.enableForwarding();
            runner.run(NftRules.argv(), NftRules.table());
            uplinkUp = true;
        } catch (IOException e) {
            throw new TtrpcException(Code.INTERNAL, "failed to bring up the VM's uplink: " + e.getMessage());
        }
    }

    /** Refuses what would clash with other containers' networks: bridges, addresses, published ports. */
    private void checkAgainstOthers(NetworkSpec spec) throws TtrpcException {
        for (NetworkSpec.EndpointSpec e : spec.endpoints()) {
            bridges.check(e);
        }
        for (Attachment a : attached.values()) {
            if (a.spec().containerId().equals(spec.containerId())) {
                continue; // replaced by this setup
            }
            for (NetworkSpec.EndpointSpec mine : spec.endpoints()) {
                for (NetworkSpec.EndpointSpec theirs : a.spec().endpoints()) {
                    if (mine.bridge().equals(theirs.bridge()) && mine.address().address().equals(theirs.address().address())) {
                        throw precondition("address " + mine.address().address() + " on bridge " + mine.bridge()
                                + " is container " + a.spec().containerId() + "'s");
                    }
                }
            }
            for (NetworkSpec.ForwardSpec mine : spec.ports()) {
                for (NetworkSpec.ForwardSpec theirs : a.spec().ports()) {
                    if (mine.protocol().equals(theirs.protocol()) && mine.guestPort() == theirs.guestPort()) {
                        throw precondition("guest port " + mine.protocol() + "/" + mine.guestPort()
                                + " is published by container " + a.spec().containerId());
                    }
                }
            }
        }
    }

    private static TtrpcException precondition(String message) {
        return new TtrpcException(Code.FAILED_PRECONDITION, message);
    }

    /** The container's namespace with loopback up, one veth per endpoint, and its default route. */
    private String makeNamespace(NetworkSpec spec) throws IOException {
        String netns = GuestPaths.netns(spec.containerId());
        system.prepareNetnsFile(netns);
        runner.run(IpCommands.createNetns(netns), null);
        runner.run(IpCommands.loopbackUp(netns), null);
        for (int i = 0; i < spec.endpoints().size(); i++) {
            NetworkSpec.EndpointSpec e = spec.endpoints().get(i);
            for (List<String> argv : IpCommands.endpoint(netns, IpCommands.hostVeth(spec.containerId(), i), e,
                    system.vmNetnsPid())) {
                runner.run(argv, null);
            }
        }
        for (NetworkSpec.EndpointSpec e : spec.endpoints()) {
            if (e.defaultRoute()) {
                runner.run(IpCommands.defaultRoute(netns, e), null);
            }
        }
        return netns;
    }
}
