package dev.skiff.engine.network.fabric;

import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One docker network's Ethernet switch: one {@link Port} per VM, and the network's DNS endpoint.
 *
 * <p>Forwarding is by a static table of the MACs the daemon admitted, with no learning: the
 * daemon assigns every MAC on the network and knows which VM holds it, so anything learned from
 * traffic could only be wrong, and a guest could poison it by sending with another's source MAC.
 * The same table is the anti-spoofing filter: a frame is switched only if its source MAC is
 * admitted on the port it came in on, and its ARP sender or IPv4 source address is the one
 * admitted for that MAC. Unicast goes to the destination's port only, broadcast and multicast
 * to every other port, unicast to an unknown MAC nowhere (a real switch would flood it; here it
 * can only be a mistake or a probe).
 *
 * <p>The gateway (address and MAC) exists in every VM, on its own bridge: frames from it are a
 * VM's local gateway leaking through its bridge, and frames to it belong to the sender's own VM,
 * so neither crosses the switch.
 *
 * <p>Thread-safe: each port's reader calls {@link #receive} concurrently. A revoke is seen by
 * every frame that starts after it returns.
 */
public final class Segment {
    /** DNS queries being answered at once on this network; past it, queries are dropped and the client retries. */
    public static final int MAX_DNS_IN_FLIGHT = 128;
    static final int DNS_PORT = 53;
    private static final int TTL = 64;

    private record Admission(String port, Ip4Address ip) {}

    private final SegmentConfig config;
    private final DnsServer dns;
    private final Map<String, Port> ports = new ConcurrentHashMap<>();
    private final Map<MacAddress, Admission> admitted = new ConcurrentHashMap<>();
    private final Semaphore dnsSlots = new Semaphore(MAX_DNS_IN_FLIGHT);
    private final AtomicInteger ipIdentification = new AtomicInteger();
    private final LongAdder received = new LongAdder(), forwarded = new LongAdder(), flooded = new LongAdder(),
            answered = new LongAdder();
    private final AtomicLongArray dropped = new AtomicLongArray(DropReason.values().length);

    /** @param names answers the DNS endpoint's queries, whole: usually the network's names, then {@link HostNames} */
    public Segment(SegmentConfig config, Names names) {
        this.config = config;
        this.dns = new DnsServer(names);
    }

    public SegmentConfig config() {
        return config;
    }

    /** Adds a VM's port, replacing one of the same name. */
    public void attach(Port port) {
        ports.put(port.name(), port);
    }

    /** Removes this port, unless another of its name has replaced it. The admissions on it stay, for when it comes back. */
    public boolean detach(Port port) {
        return ports.remove(port.name(), port);
    }

    public Set<String> ports() {
        return Set.copyOf(ports.keySet());
    }

    /**
     * Lets a container's frames in and out: {@code mac} with source address {@code ip} on the VM
     * port {@code port}, which need not be attached yet. Idempotent; a MAC or address already
     * admitted otherwise is refused.
     */
    public void admit(String port, MacAddress mac, Ip4Address ip) {
        if (mac.isMulticast() || mac.equals(config.gatewayMac()) || mac.equals(config.dnsMac())) {
            throw new IllegalArgumentException("cannot admit MAC " + mac + " on network " + config.networkId());
        }
        if (!config.subnet().isHost(ip) || ip.equals(config.gateway()) || ip.equals(config.dns())) {
            throw new IllegalArgumentException("cannot admit address " + ip + " on network " + config.networkId() + " (" + config.subnet() + ")");
        }
        Admission admission = new Admission(port, ip);
        synchronized (admitted) { // the two checks and the put as one step; readers need no lock
            for (Map.Entry<MacAddress, Admission> e : admitted.entrySet()) {
                if (!e.getKey().equals(mac) && e.getValue().ip().equals(ip)) {
                    throw new IllegalArgumentException("address " + ip + " is already admitted for " + e.getKey());
                }
            }
            Admission old = admitted.putIfAbsent(mac, admission);
            if (old != null && !old.equals(admission)) {
                throw new IllegalArgumentException("MAC " + mac + " is already admitted as " + old.ip() + " on " + old.port());
            }
        }
    }

    /** Stops switching frames from and to {@code mac}; false if it was not admitted. */
    public boolean revoke(MacAddress mac) {
        synchronized (admitted) {
            return admitted.remove(mac) != null;
        }
    }

    public SegmentCounters counters() {
        Map<DropReason, Long> drops = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            if (dropped.get(r.ordinal()) != 0) {
                drops.put(r, dropped.get(r.ordinal()));
            }
        }
        return new SegmentCounters(received.sum(), forwarded.sum(), flooded.sum(), answered.sum(), drops);
    }

    /**
     * A frame from the VM on port {@code from}: switched, answered or dropped and counted. Never
     * throws for what the frame holds. The array is kept and shared with the receiving ports.
     */
    public void receive(String from, byte[] bytes) {
        received.increment();
        try {
            switchFrame(from, bytes);
        } catch (MalformedFrameException | IndexOutOfBoundsException e) {
            drop(DropReason.MALFORMED); // IndexOutOfBounds: a bounds check the codecs missed still only drops the frame
        }
    }

    private void switchFrame(String from, byte[] bytes) throws MalformedFrameException {
        EthernetFrame frame = EthernetFrame.parse(ByteBuffer.wrap(bytes));
        if (frame.source().equals(config.gatewayMac())) {
            drop(DropReason.GATEWAY_SOURCE);
            return;
        }
        Admission sender = admitted.get(frame.source());
        if (sender == null || !sender.port().equals(from)) {
            drop(DropReason.SPOOFED_MAC);
            return;
        }
        switch (frame.packet()) {
            case ArpPacket arp -> onArp(from, sender, frame, arp, bytes);
            case Ipv4Packet ip -> onIpv4(from, sender, frame, ip, bytes);
            case Packet.Other _ -> drop(DropReason.UNSUPPORTED_ETHERTYPE);
        }
    }

    private void onArp(String from, Admission sender, EthernetFrame frame, ArpPacket arp, byte[] bytes) {
        if (!arp.senderMac().equals(frame.source())) {
            drop(DropReason.SPOOFED_MAC);
        } else if (!arp.senderIp().equals(sender.ip()) && !arp.isProbe()) {
            drop(DropReason.SPOOFED_IP);
        } else if (arp.operation() == ArpPacket.REQUEST && arp.targetIp().equals(config.dns())) {
            byte[] reply = EthernetFrame.encode(frame.source(), config.dnsMac(), EthernetFrame.TYPE_ARP, arp.replyFrom(config.dnsMac()).encode());
            sendAnswer(from, reply);
        } else if (arp.operation() == ArpPacket.REQUEST && arp.targetIp().equals(config.gateway())) {
            drop(DropReason.GATEWAY_DESTINATION); // the sender's own VM answers for its gateway
        } else {
            deliver(from, frame.destination(), bytes);
        }
    }

    private void onIpv4(String from, Admission sender, EthernetFrame frame, Ipv4Packet ip, byte[] bytes) throws MalformedFrameException {
        if (!ip.source().equals(sender.ip())) {
            drop(DropReason.SPOOFED_IP);
        } else if (frame.destination().equals(config.dnsMac())) {
            onDnsEndpoint(from, frame, ip);
        } else {
            deliver(from, frame.destination(), bytes);
        }
    }

    /** A query to the DNS endpoint is answered on a virtual thread: a lookup may take its full deadline, and the port's reader must not wait. */
    private void onDnsEndpoint(String from, EthernetFrame frame, Ipv4Packet ip) throws MalformedFrameException {
        if (!ip.destination().equals(config.dns()) || ip.protocol() != Ipv4Packet.PROTOCOL_UDP) {
            drop(DropReason.DNS_ENDPOINT); // no ICMP echo or TCP here yet
            return;
        }
        UdpDatagram udp = UdpDatagram.parse(ip);
        if (udp.destinationPort() != DNS_PORT || !dnsSlots.tryAcquire()) {
            drop(DropReason.DNS_ENDPOINT);
            return;
        }
        Thread.ofVirtual().name("dns-" + config.networkId()).start(() -> {
            try {
                dns.answer(udp.payload()).ifPresentOrElse(
                        response -> sendAnswer(from, EthernetFrame.encode(frame.source(), config.dnsMac(), EthernetFrame.TYPE_IPV4,
                                Ipv4Packet.encode(config.dns(), ip.source(), Ipv4Packet.PROTOCOL_UDP, TTL, ipIdentification.incrementAndGet(),
                                        UdpDatagram.encode(config.dns(), DNS_PORT, ip.source(), udp.sourcePort(), response)))),
                        () -> drop(DropReason.MALFORMED));
            } finally {
                dnsSlots.release();
            }
        });
    }

    /**
     * Waits until no DNS query is being answered (every slot free), for tests and for a clean
     * close; false if queries were still in flight after {@code timeout}.
     */
    boolean awaitDnsIdle(java.time.Duration timeout) throws InterruptedException {
        if (!dnsSlots.tryAcquire(MAX_DNS_IN_FLIGHT, timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            return false;
        }
        dnsSlots.release(MAX_DNS_IN_FLIGHT);
        return true;
    }

    private void sendAnswer(String to, byte[] frame) {
        Port port = ports.get(to);
        if (port != null && offer(port, frame)) {
            answered.increment();
        }
    }

    private void deliver(String from, MacAddress destination, byte[] bytes) {
        if (destination.equals(config.gatewayMac())) {
            drop(DropReason.GATEWAY_DESTINATION);
        } else if (destination.isMulticast()) {
            flooded.increment();
            for (Port port : ports.values()) {
                if (!port.name().equals(from)) {
                    offer(port, bytes);
                }
            }
        } else if (destination.equals(config.dnsMac())) {
            drop(DropReason.DNS_ENDPOINT);
        } else {
            Admission target = admitted.get(destination);
            Port port = target == null ? null : ports.get(target.port());
            if (target != null && target.port().equals(from)) {
                drop(DropReason.SAME_PORT);
            } else if (port == null) {
                drop(DropReason.UNKNOWN_UNICAST);
            } else if (offer(port, bytes)) {
                forwarded.increment();
            }
        }
    }

    private boolean offer(Port port, byte[] bytes) {
        boolean queued = port.offer(bytes);
        if (!queued) {
            drop(DropReason.QUEUE_FULL);
        }
        return queued;
    }

    private void drop(DropReason reason) {
        dropped.incrementAndGet(reason.ordinal());
    }
}
