package dev.skiff.agent.network;

import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The VM's bridges, one per docker network used here: made the first time an endpoint names
 * one, with the network's gateway address, the gateway's MAC and the VM's card on that network
 * as a port, and kept for the VM's life. Later endpoints on the same bridge must describe it
 * the same way; they then find everything in place. Not thread-safe: {@link Networks} holds
 * its lock around every call.
 */
final class Bridges {
    /** What a bridge was made with; "" for a MAC the request left out. */
    record Bridge(Ipv4.Cidr gateway, String bridgeMac, String nicMac) {}

    private final CommandRunner runner;
    private final GuestSystem system;
    private final Map<String, Bridge> made = new HashMap<>();

    Bridges(CommandRunner runner, GuestSystem system) {
        this.runner = runner;
        this.system = system;
    }

    /**
     * Refuses an endpoint that describes a bridge made earlier differently (its gateway, its MAC,
     * its card: the daemon gives each network one of each, so a difference is a daemon's mistake
     * that would break the network in this VM), whose subnet overlaps another bridge's (routing
     * would be ambiguous), or whose card is another bridge's port.
     */
    void check(NetworkSpec.EndpointSpec e) throws TtrpcException {
        Bridge known = made.get(e.bridge());
        if (known != null) {
            if (!known.gateway().equals(e.gateway())) {
                throw precondition("bridge " + e.bridge() + " has gateway " + known.gateway() + ", not " + e.gateway());
            }
            if (!known.bridgeMac().equals(e.bridgeMac())) {
                throw precondition("bridge " + e.bridge() + " has MAC " + shown(known.bridgeMac()) + ", not "
                        + shown(e.bridgeMac()));
            }
            if (!known.nicMac().equals(e.nicMac())) {
                throw precondition("bridge " + e.bridge() + " has network card " + shown(known.nicMac()) + ", not "
                        + shown(e.nicMac()));
            }
        }
        for (var other : made.entrySet()) {
            if (other.getKey().equals(e.bridge())) {
                continue;
            }
            if (other.getValue().gateway().overlaps(e.gateway())) {
                throw precondition("network " + e.gateway().subnet() + " of bridge " + e.bridge()
                        + " overlaps bridge " + other.getKey() + "'s " + other.getValue().gateway().subnet());
            }
            if (!e.nicMac().isEmpty() && e.nicMac().equals(other.getValue().nicMac())) {
                throw precondition("network card " + e.nicMac() + " is bridge " + other.getKey() + "'s");
            }
        }
    }

    private static String shown(String mac) {
        return mac.isEmpty() ? "(none)" : mac;
    }

    private static TtrpcException precondition(String message) {
        return new TtrpcException(Code.FAILED_PRECONDITION, message);
    }

    /**
     * Makes the endpoint's bridge unless it is made already (checked by {@link #check}); on a
     * failure half-way the bridge is deleted again, which also lets go of its card (the card
     * keeps its new name, under which the next attempt finds it by its MAC). The caller has
     * waited for the card to appear ({@link GuestSystem#awaitNic}).
     */
    void ensure(NetworkSpec.EndpointSpec e) throws IOException {
        String name = e.bridge();
        if (made.containsKey(name)) {
            return; // and its card is a port of it already
        }
        if (system.linkExists(name)) {
            runner.run(IpCommands.delete(name), null); // left by a setup that failed half-way
        }
        try {
            for (List<String> argv : IpCommands.bridgeUp(name, e.gateway(), e.bridgeMac())) {
                runner.run(argv, null);
            }
            if (!e.nicMac().isEmpty()) {
                String current = system.linkWithMac(e.nicMac()).orElseThrow(() -> new IOException(
                        "network card " + e.nicMac() + " went away"));
                for (List<String> argv : IpCommands.nicToBridge(current, name)) {
                    runner.run(argv, null);
                }
            }
            runner.run(NftRules.argv(), NftRules.addBridge(name, e.gateway()));
        } catch (IOException failure) {
            if (system.linkExists(name)) {
                try {
                    runner.run(IpCommands.delete(name), null);
                } catch (IOException undo) {
                    failure.addSuppressed(undo);
                }
            }
            throw failure;
        }
        made.put(name, new Bridge(e.gateway(), e.bridgeMac(), e.nicMac()));
    }
}
