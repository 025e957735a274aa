/**
 * Container networks on the host side: which addresses a container gets ({@link
 * dev.skiff.engine.network.Ipam}), which host ports it publishes ({@link
 * dev.skiff.engine.network.PortRequests}, {@link dev.skiff.engine.network.PortPublisher}), the
 * files its /etc gets ({@link dev.skiff.engine.network.HostFiles}), and the one place that
 * ties these to a container's start and end ({@link dev.skiff.engine.network.Networking}).
 *
 * <p>Where the bytes go: a published port is a forward on the VM's uplink (QEMU's user
 * networking listens on the host port and delivers to the VM's uplink address), then DNAT in the
 * VM to the container's address on its bridge; traffic out of a container is masqueraded by the
 * VM onto the uplink, where QEMU's user networking turns it into the host's own sockets. The
 * daemon carries no packets itself.
 */
package dev.skiff.engine.network;
