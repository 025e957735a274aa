package dev.skiff.agent.network;

import dev.skiff.ttrpc.Code;
import dev.skiff.ttrpc.TtrpcException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What one container holds in the VM: the setup it asked for, the endpoints it has now (its
 * setup's, then those AddEndpoint and RemoveEndpoint changed), each with the host end of its
 * veth, and whether its ports are in the nft map yet. Immutable: {@link Networks} replaces it
 * under its lock, so a change that fails half-way leaves the last good one in place.
 */
record Attachment(NetworkSpec spec, List<Link> links, boolean portsAdded) {
    /** One endpoint and the name of its veth's end in the VM's namespace. */
    record Link(String hostVeth, NetworkSpec.EndpointSpec endpoint) {}

    Attachment {
        links = List.copyOf(links);
    }

    /** A setup's: endpoint i gets veth slot i (its earlier setup is torn down first, so all slots are free). */
    static Attachment of(NetworkSpec spec) {
        List<Link> links = new ArrayList<>();
        for (int i = 0; i < spec.endpoints().size(); i++) {
            links.add(new Link(IpCommands.hostVeth(spec.containerId(), i), spec.endpoints().get(i)));
        }
        return new Attachment(spec, links, false);
    }

    String containerId() {
        return spec.containerId();
    }

    List<NetworkSpec.EndpointSpec> endpoints() {
        return links.stream().map(Link::endpoint).toList();
    }

    Optional<Link> link(String ifname) {
        return links.stream().filter(l -> l.endpoint().ifname().equals(ifname)).findFirst();
    }

    /**
     * The first veth slot that neither an endpoint holds nor a link in the VM uses: one whose
     * removal failed may still be there, and a new pair with its name could not be moved out.
     */
    Optional<String> freeHostVeth(Predicate<String> linkExists) {
        for (int i = 0; i < IpCommands.VETH_SLOTS; i++) {
            String veth = IpCommands.hostVeth(containerId(), i);
            if (links.stream().noneMatch(l -> l.hostVeth().equals(veth)) && !linkExists.test(veth)) {
                return Optional.of(veth);
            }
        }
        return Optional.empty();
    }

    /** Refuses another container's endpoints and ports that would take this one's address on a bridge or its port. */
    void refuseClashes(List<NetworkSpec.EndpointSpec> endpoints, List<NetworkSpec.ForwardSpec> ports)
            throws TtrpcException {
        for (NetworkSpec.EndpointSpec theirs : endpoints) {
            for (NetworkSpec.EndpointSpec mine : endpoints()) {
                if (mine.bridge().equals(theirs.bridge()) && mine.address().address().equals(theirs.address().address())) {
                    throw new TtrpcException(Code.FAILED_PRECONDITION, "address " + mine.address().address()
                            + " on bridge " + mine.bridge() + " is container " + containerId() + "'s");
                }
            }
        }
        for (NetworkSpec.ForwardSpec theirs : ports) {
            for (NetworkSpec.ForwardSpec mine : spec.ports()) {
                if (mine.protocol().equals(theirs.protocol()) && mine.guestPort() == theirs.guestPort()) {
                    throw new TtrpcException(Code.FAILED_PRECONDITION, "guest port " + mine.protocol() + "/"
                            + mine.guestPort() + " is published by container " + containerId());
                }
            }
        }
    }

    Attachment withPortsAdded() {
        return new Attachment(spec, links, true);
    }

    Attachment with(Link link) {
        List<Link> more = new ArrayList<>(links);
        more.add(link);
        return new Attachment(spec, more, portsAdded);
    }

    Attachment without(Link link) {
        List<Link> fewer = new ArrayList<>(links);
        fewer.remove(link);
        return new Attachment(spec, fewer, portsAdded);
    }
}
