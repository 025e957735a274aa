package dev.skiff.agent.api;

/**
 * The fixed addresses of every utility VM's uplink: the NIC on QEMU's user networking (libslirp),
 * through which containers reach the host and the outside, and through which published ports
 * arrive. The host puts the NIC in the VM with {@link #UPLINK_MAC} and these addresses; the agent
 * finds it by that MAC and configures it statically (no DHCP on the boot path).
 */
public final class GuestNetwork {
    private GuestNetwork() {}

    /** The uplink NIC's MAC (QEMU's locally administered prefix). */
    public static final String UPLINK_MAC = "52:54:00:5f:00:01";
    /** The uplink's name once the agent has renamed it. */
    public static final String UPLINK_IFNAME = "uplink";
    /** QEMU's user network, as QEMU's own defaults. */
    public static final String SLIRP_NETWORK = "10.0.2.0/24";
    /** The VM's address on it: where hostfwd delivers published ports. */
    public static final String GUEST_ADDRESS = "10.0.2.15";
    /** QEMU's alias for the host: connections to it reach the host's loopback. */
    public static final String HOST_ADDRESS = "10.0.2.2";
    /** QEMU's DNS forwarder: answers with the host's resolvers. */
    public static final String DNS_ADDRESS = "10.0.2.3";
    /** The uplink's MTU (QEMU's user networking takes frames up to 65 KiB; TCG has no offloads). */
    public static final int UPLINK_MTU = 1500;
}
