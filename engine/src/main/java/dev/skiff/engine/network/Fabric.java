package dev.skiff.engine.network;

import dev.skiff.engine.placement.UtilityVm;
import java.io.IOException;

/**
 * What joins a user network's bridges in different VMs into one Ethernet segment: each VM's card
 * on the network connected to the daemon's switch, and the switch told which container MAC and
 * address sits behind which VM (it switches nothing else). {@link #NONE} keeps every network
 * inside its VM.
 */
public interface Fabric {
    /** The VM's card on the network, plugged and connected if it is not yet; returns its MAC. */
    String plug(UtilityVm vm, NetworkRegistry.Net net) throws IOException;

    /** A container's MAC and address on the network, behind the VM's card. */
    void admit(UtilityVm vm, NetworkRegistry.Net net, String mac, String ip);

    /** The container left the network. */
    void revoke(NetworkRegistry.Net net, String mac);

    /** A user network was removed: its segment goes. */
    void removed(NetworkRegistry.Net net);

    Fabric NONE = new Fabric() {
        @Override
        public String plug(UtilityVm vm, NetworkRegistry.Net net) {
            return "";
        }

        @Override
        public void admit(UtilityVm vm, NetworkRegistry.Net net, String mac, String ip) {
        }

        @Override
        public void revoke(NetworkRegistry.Net net, String mac) {
        }

        @Override
        public void removed(NetworkRegistry.Net net) {
        }
    };
}
