/**
 * The daemon's layer-2 fabric between utility VMs: for each docker network a {@link
 * dev.skiff.engine.network.fabric.Segment} (a switch with a static, daemon-assigned MAC table and
 * anti-spoofing, plus the network's ARP and DNS endpoint), and the {@link
 * dev.skiff.engine.network.fabric.NetworkSwitch} that connects each VM's NIC socket to it.
 *
 * <p>Layers, as elsewhere in Skiff: the codecs ({@code EthernetFrame}, {@code ArpPacket}, {@code
 * Ipv4Packet}, {@code UdpDatagram}, {@code DnsQuestion}) never touch a socket and throw only the
 * checked {@link dev.skiff.engine.network.fabric.MalformedFrameException}; the segment switches and
 * counts; {@code StreamPort} is the transport (QEMU's stream netdev: a 4-byte big-endian length,
 * then the frame); {@link dev.skiff.engine.network.fabric.DnsServer} is the one place where
 * lookups become DNS rcodes. Frames come from guests, which are not trusted: anything malformed
 * is dropped and counted, never thrown out of a port's reader.
 *
 * <p>Design and alternatives: ../shared/research/networking.md, sections 5 to 7.
 */
package dev.skiff.engine.network.fabric;
