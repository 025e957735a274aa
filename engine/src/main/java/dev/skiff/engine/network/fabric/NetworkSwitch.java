package dev.skiff.engine.network.fabric;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The daemon's Ethernet fabric between VMs: one {@link Segment} per docker network, one port per
 * (network, VM), each port a connection to the UNIX socket on which that VM's QEMU listens for
 * the NIC ({@code -netdev stream,server=on}). QEMU is the server because QEMU 7.2 cannot
 * reconnect as a client: this way a daemon restart costs the VMs nothing, the new daemon
 * connects again.
 *
 * <p>Changes (segments, connects, disconnects) are serialized on this object; frames never take
 * its lock. A port that closes on its own (the VM went away, a malformed stream) leaves by itself.
 */
public final class NetworkSwitch implements AutoCloseable {
    private record PortKey(String networkId, String vm) {}

    private final Names upstream;
    private final Map<String, Segment> segments = new ConcurrentHashMap<>();
    private final Map<PortKey, StreamPort> ports = new ConcurrentHashMap<>();
    private boolean closed;

    /** With the host's resolver ({@link HostNames}) behind every network's own names. */
    public NetworkSwitch() {
        this(new HostNames());
    }

    /** @param upstream answers what no network knows; shared by all segments, so its limits are daemon-wide */
    public NetworkSwitch(Names upstream) {
        this.upstream = upstream;
    }

    /**
     * The network's segment, created on first call. Its DNS endpoint answers from {@code
     * networkNames}, then from the upstream for the names those leave {@link Answer#UNKNOWN}.
     * Calling again with the same configuration returns the same segment.
     */
    public synchronized Segment createSegment(SegmentConfig config, Names networkNames) {
        if (closed) {
            throw new IllegalStateException("the network switch is closed");
        }
        Segment existing = segments.get(config.networkId());
        if (existing != null) {
            if (!existing.config().equals(config)) {
                throw new IllegalArgumentException("network " + config.networkId() + " already has a segment: " + existing.config());
            }
            return existing;
        }
        Segment segment = new Segment(config, networkNames.orElse(upstream));
        segments.put(config.networkId(), segment);
        return segment;
    }

    public Optional<Segment> segment(String networkId) {
        return Optional.ofNullable(segments.get(networkId));
    }

    /** Disconnects every VM from the network and forgets it; false if there was no such segment. */
    public synchronized boolean removeSegment(String networkId) {
        Segment segment = segments.remove(networkId);
        if (segment == null) {
            return false;
        }
        for (PortKey key : List.copyOf(ports.keySet())) {
            if (key.networkId().equals(networkId)) {
                disconnect(networkId, key.vm());
            }
        }
        return true;
    }

    /**
     * Connects to the NIC socket of {@code vm} on the network and starts switching its frames.
     * An earlier connection of the same VM to the same network is closed first: QEMU's stream
     * server serves one client at a time, so a new connection means the old one is stale.
     */
    public synchronized void connect(String networkId, String vm, Path socket) throws IOException {
        if (closed) {
            throw new IllegalStateException("the network switch is closed");
        }
        Segment segment = segments.get(networkId);
        if (segment == null) {
            throw new IllegalArgumentException("no segment for network " + networkId);
        }
        if (vm == null || vm.isEmpty()) {
            throw new IllegalArgumentException("a port needs a VM name");
        }
        disconnect(networkId, vm);
        PortKey key = new PortKey(networkId, vm);
        StreamPort port = StreamPort.open(vm, socket, segment, closedPort -> ports.remove(key, closedPort));
        ports.put(key, port);
        if (!port.isOpen()) {
            ports.remove(key, port); // it closed before it was listed: the callback found nothing to remove
        }
    }

    /** Closes the VM's port on the network, quietly; false if it had none. Its admissions stay. */
    public synchronized boolean disconnect(String networkId, String vm) {
        StreamPort port = ports.remove(new PortKey(networkId, vm));
        if (port == null) {
            return false;
        }
        port.close(null);
        return true;
    }

    /** The VMs whose ports on the network are open. */
    public Set<String> connected(String networkId) {
        Segment segment = segments.get(networkId);
        return segment == null ? Set.of() : segment.ports();
    }

    /** Closes every port and forgets every segment. */
    @Override
    public synchronized void close() {
        closed = true;
        for (String networkId : List.copyOf(segments.keySet())) {
            removeSegment(networkId);
        }
    }
}
