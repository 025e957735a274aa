/**
 * Container networking inside the utility VM (agent.proto's SetupNetwork, TeardownNetwork, AddEndpoint
 * and RemoveEndpoint).
 *
 * <p>The VM's uplink is a virtio-net card on QEMU's user networking ({@link
 * dev.skiff.agent.api.GuestNetwork}): NAT to the host and the outside, and the host's published
 * ports arriving on the VM's address. Inside the VM each docker network is a Linux bridge holding
 * the network's gateway address and MAC (the same in every VM); a network that spans VMs also has
 * a hot-plugged network card per VM as a port of its bridge, whose other end is the daemon's
 * Ethernet switch ({@link dev.skiff.agent.network.Bridges}). Each container gets a network
 * namespace (a bind-mounted nsfs file that runc joins), a veth pair per endpoint from the bridge
 * into that namespace, and its /etc files. One nftables table ({@link
 * dev.skiff.agent.network.NftRules}) DNATs published ports through a map, masquerades the bridges'
 * subnets out of the uplink, and drops what the VM would route between two bridges.
 *
 * <p>Layers: {@link dev.skiff.agent.network.NetworkSpec} validates a request completely before
 * anything runs; {@link dev.skiff.agent.network.IpCommands} and {@link
 * dev.skiff.agent.network.NftRules} only build argument vectors and rule text (no strings reach
 * a shell); {@link dev.skiff.agent.network.CommandRunner} runs them (the real one through the
 * PID-1 reaper); {@link dev.skiff.agent.network.Networks} holds the VM's state (an {@link
 * dev.skiff.agent.network.Attachment} per container) and the order of the steps, which {@link
 * dev.skiff.agent.network.VmUplink}, {@link dev.skiff.agent.network.Bridges} and {@link
 * dev.skiff.agent.network.ContainerLinks} carry out. The work is done by busybox's {@code ip},
 * {@code unshare} and {@code nsenter} applets and Debian's {@code nft}: their netlink code is
 * tested and small, and a setup is a handful of processes.
 */
package dev.skiff.agent.network;
