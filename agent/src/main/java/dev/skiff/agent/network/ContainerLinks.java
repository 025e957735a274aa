package dev.skiff.agent.network;

import dev.skiff.agent.api.GuestPaths;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's namespace and the veths in it: made whole by a setup, one veth more or less by
 * AddEndpoint and RemoveEndpoint. Not thread-safe: {@link Networks} holds its lock around
 * every call.
 */
final class ContainerLinks {
    private final CommandRunner runner;
    private final GuestSystem system;

    ContainerLinks(CommandRunner runner, GuestSystem system) {
        this.runner = runner;
        this.system = system;
    }

    /**
     * The container's namespace with loopback up, a veth per endpoint, and its default route. A
     * failure half-way is left for the caller's teardown: removing the namespace removes the
     * pairs still in it.
     */
    String makeNamespace(Attachment a) throws IOException {
        String netns = GuestPaths.netns(a.containerId());
        system.prepareNetnsFile(netns);
        List<List<String>> inside = new ArrayList<>();
        List<List<String>> inVm = new ArrayList<>();
        inside.add(IpCommands.ip("link", "set", "lo", "up"));
        for (Attachment.Link l : a.links()) {
            inside.addAll(IpCommands.endpointInside(l.hostVeth(), l.endpoint(), system.vmNetnsPid()));
            inVm.add(IpCommands.endpointToBridge(l.hostVeth(), l.endpoint()));
        }
        for (Attachment.Link l : a.links()) {
            if (l.endpoint().defaultRoute()) {
                inside.add(IpCommands.defaultRoute(l.endpoint()));
            }
        }
        runner.run(IpCommands.namespaceScript(netns, inside, inVm, system.vmNetnsPid()), null);
        return netns;
    }

    /**
     * One more veth into a namespace that exists and stays: the same steps as a setup's. The
     * kernel names the new pair's peer veth0 here too, since the container's other ends were
     * renamed and no container name is veth&lt;N&gt;. On a failure half-way the pair is deleted
     * (deleting either end deletes both): in the container's namespace if its host end was not
     * moved out yet, else in the VM's.
     */
    void addVeth(String netns, Attachment.Link link) throws IOException {
        boolean made = false;
        try {
            for (List<String> argv : IpCommands.endpoint(netns, link.hostVeth(), link.endpoint(), system.vmNetnsPid())) {
                runner.run(argv, null);
                made = true;
            }
        } catch (IOException failure) {
            if (made) {
                List<String> undo = IpCommands.delete(link.hostVeth());
                try {
                    runner.run(system.linkExists(link.hostVeth()) ? undo : IpCommands.inNetns(netns, undo), null);
                } catch (IOException e) {
                    failure.addSuppressed(e);
                }
            }
            throw failure;
        }
    }

    /** Deletes a veth by its host end (the container's end goes with it); one that is not there is no error. */
    void removeVeth(String hostVeth) throws IOException {
        if (system.linkExists(hostVeth)) {
            runner.run(IpCommands.delete(hostVeth), null);
        }
    }
}
