package dev.skiff.engine.network.fabric;

/** What an Ethernet frame carries, as far as the fabric looks: the switch's dispatch is an exhaustive switch over it. */
public sealed interface Packet permits ArpPacket, Ipv4Packet, Packet.Other {
    /** Any other EtherType (IPv6, VLAN tags, LLDP...): not switched. */
    record Other(int etherType) implements Packet {}
}
