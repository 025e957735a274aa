package dev.skiff.engine.network.fabric;

/** Why a segment did not switch a frame: one counter each. */
public enum DropReason {
    /** Breaks its format (Ethernet, ARP, IPv4, UDP or DNS), or a length under the Ethernet header. */
    MALFORMED,
    /** From the gateway MAC: a VM's own gateway talking, which is local to that VM. */
    GATEWAY_SOURCE,
    /** To the gateway MAC (or ARP for the gateway address): every VM has its own gateway. */
    GATEWAY_DESTINATION,
    /** A source MAC not admitted on the port it came in on. */
    SPOOFED_MAC,
    /** An ARP sender or IPv4 source address other than the one admitted for the source MAC. */
    SPOOFED_IP,
    /** IPv6, VLAN tags, anything but ARP and IPv4. */
    UNSUPPORTED_ETHERTYPE,
    /** Unicast to a MAC not admitted, or admitted on a port that is not attached. */
    UNKNOWN_UNICAST,
    /** Unicast to a MAC on the port it came from: the VM's own bridge delivers those. */
    SAME_PORT,
    /** To the DNS endpoint but not a DNS query over UDP to port 53 (or too many queries in flight). */
    DNS_ENDPOINT,
    /** The destination port's queue was full (counted once per port that missed the frame). */
    QUEUE_FULL
}
