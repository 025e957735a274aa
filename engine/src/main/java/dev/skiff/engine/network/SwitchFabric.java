package dev.skiff.engine.network;

import dev.skiff.engine.network.fabric.Answer;
import dev.skiff.engine.network.fabric.DnsServer;
import dev.skiff.engine.network.fabric.Ip4Address;
import dev.skiff.engine.network.fabric.MacAddress;
import dev.skiff.engine.network.fabric.NetworkSwitch;
import dev.skiff.engine.network.fabric.Segment;
import dev.skiff.engine.network.fabric.SegmentConfig;
import dev.skiff.engine.placement.UtilityVm;
import dev.skiff.vm.NicSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link Fabric} on the daemon's {@link NetworkSwitch}: one segment per user network, one
 * port per VM on it (the VM's hot-plugged card, whose stream socket QEMU listens on), and the
 * network's DNS endpoint answering its containers' names, aliases and short ids from the
 * daemon's own table, then the host's resolver.
 */
public final class SwitchFabric implements Fabric, AutoCloseable {
    /** The daemon's answer to "which running containers on this network have this DNS name". */
    @FunctionalInterface
    public interface Directory {
        List<String> addresses(String networkId, String name);
    }

    private final NetworkSwitch fabric;
    private final Directory directory;

    public SwitchFabric(Directory directory) {
        this.fabric = new NetworkSwitch();
        this.directory = directory;
    }

    private Segment segment(NetworkRegistry.Net net) {
        return fabric.createSegment(SegmentConfig.of(net.id(), net.meta().subnet(), net.meta().gateway(),
                Ipam.macFor(net.meta().gateway())), (name, qtype) -> lookup(net.id(), name));
    }

    private Answer lookup(String networkId, String name) {
        List<InetAddress> found = new ArrayList<>();
        for (String ip : directory.addresses(networkId, name)) {
            found.add(Ip4Address.parse(ip).toInetAddress());
        }
        return found.isEmpty() ? Answer.UNKNOWN : new Answer.Found(found, DnsServer.NETWORK_TTL);
    }

    @Override
    public String plug(UtilityVm vm, NetworkRegistry.Net net) throws IOException {
        segment(net);
        NicSpec nic = vm.nic(net.id());
        synchronized (this) {
            if (!fabric.connected(net.id()).contains(vm.name())) {
                fabric.connect(net.id(), vm.name(), vm.vm().nicSocket(nic.name()));
            }
        }
        return nic.mac();
    }

    @Override
    public void admit(UtilityVm vm, NetworkRegistry.Net net, String mac, String ip) {
        segment(net).admit(vm.name(), MacAddress.parse(mac), Ip4Address.parse(ip));
    }

    @Override
    public void revoke(NetworkRegistry.Net net, String mac) {
        fabric.segment(net.id()).ifPresent(s -> s.revoke(MacAddress.parse(mac)));
    }

    @Override
    public void removed(NetworkRegistry.Net net) {
        fabric.removeSegment(net.id());
    }

    @Override
    public void close() {
        fabric.close();
    }
}
