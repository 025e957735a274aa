package dev.skiff.agent.network;

import dev.skiff.agent.api.GuestNetwork;
import dev.skiff.guest.Main;
import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.io.IOException;

/**
 * The VM's uplink, brought up by the first request that needs it: the network modules (without
 * which no card appears), the card renamed and addressed, forwarding, and the nft table. Not
 * thread-safe: {@link Networks} holds its lock around every call.
 */
final class VmUplink {
    private final CommandRunner runner;
    private final GuestSystem system;
    private boolean modulesLoaded, up;

    VmUplink(CommandRunner runner, GuestSystem system) {
        this.runner = runner;
        this.system = system;
    }

    void ensure() throws TtrpcException {
        if (up) {
            return;
        }
        try {
            if (!modulesLoaded) {
                long t = System.nanoTime();
                system.loadNetModules();
                modulesLoaded = true;
                Main.log("network: loaded the network modules in " + (System.nanoTime() - t) / 1_000_000 + " ms");
            }
            String nic = system.linkWithMac(GuestNetwork.UPLINK_MAC).orElseThrow(() -> new TtrpcException(
                    Code.FAILED_PRECONDITION, "this VM has no uplink network card (MAC " + GuestNetwork.UPLINK_MAC
                    + "): it was started without one, so only NAMESPACE mode without endpoints is possible"));
            runner.runAll(IpCommands.uplinkUp(nic));
            system.enableForwarding();
            runner.run(NftRules.argv(), NftRules.table());
            up = true;
        } catch (IOException e) {
            throw new TtrpcException(Code.INTERNAL, "failed to bring up the VM's uplink: " + e.getMessage());
        }
    }
}
