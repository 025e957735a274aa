package dev.skiff.engine.network;

import dev.skiff.engine.api.Backend.PublishedPort;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.placement.UtilityVm;
import dev.skiff.vm.HostForward;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes container ports on the host: each becomes a forward on the VM's uplink (QEMU listens
 * on the host port itself, so the daemon holds no socket and a daemon restart loses no port) to a
 * port of the VM's own, which the VM DNATs to the container. All of a container's ports are
 * published or none: a port that cannot be bound undoes the ones before it.
 */
public final class PortPublisher {
    private static final Logger LOG = System.getLogger(PortPublisher.class.getName());
    /** A published port as it is forwarded: the host side, the VM's port, the container's port. */
    public record Forward(String protocol, String hostIp, int hostPort, int guestPort, int containerPort) {
        HostForward hostForward() {
            return new HostForward(protocol, hostIp, hostPort, guestPort);
        }

        public PublishedPort published() {
            return new PublishedPort(containerPort + "/" + protocol, hostIp.isEmpty() ? "0.0.0.0" : hostIp, hostPort);
        }
    }

    /**
     * Forwards every request into {@code vm}, or none of them. {@code direct}: to the VM's own
     * port of the same number (a container in the VM's namespace, --network host), not to a VM
     * port of the daemon's choice that the VM DNATs on.
     */
    public List<Forward> publish(UtilityVm vm, List<PortRequests.Request> requests, boolean direct)
            throws EngineException {
        List<Forward> done = new ArrayList<>();
        try {
            for (PortRequests.Request r : requests) {
                done.add(publishOne(vm, r, direct));
            }
            return done;
        } catch (EngineException | RuntimeException e) {
            unpublish(vm, done);
            throw e;
        }
    }

    private Forward publishOne(UtilityVm vm, PortRequests.Request r, boolean direct) throws EngineException {
        String shown = (r.hostIp().isEmpty() ? "0.0.0.0" : r.hostIp());
        if (r.hostPortLow() == 0) {
            // -p CPORT and -P: a port the host's kernel picks as free, as Docker's allocator does.
            // Another program may take it before QEMU binds it: then try another.
            EngineException last = null;
            for (int attempt = 0; attempt < 5; attempt++) {
                int port = freePort(r.protocol(), r.hostIp());
                try {
                    return forward(vm, r, port, direct);
                } catch (EngineException e) {
                    last = e;
                }
            }
            throw last;
        }
        EngineException last = null;
        for (int port = r.hostPortLow(); port <= r.hostPortHigh(); port++) {
            try {
                return forward(vm, r, port, direct);
            } catch (EngineException e) {
                last = e;
            }
        }
        if (r.hostPortLow() == r.hostPortHigh()) {
            throw last;
        }
        throw new EngineException(EngineException.Kind.INTERNAL, "driver failed programming external connectivity: "
                + "no free host port in " + shown + ":" + r.hostPortLow() + "-" + r.hostPortHigh() + "/" + r.protocol()
                + " (" + last.getMessage() + ")", last);
    }

    private Forward forward(UtilityVm vm, PortRequests.Request r, int hostPort, boolean direct) throws EngineException {
        int guestPort = direct ? vm.claimExactGuestPort(r.protocol(), r.containerPort())
                : vm.claimGuestPort(r.protocol(), hostPort);
        if (guestPort < 0) {
            throw EngineException.conflict("port " + r.containerPort() + "/" + r.protocol() + " of VM " + vm.name()
                    + " is already published by another container");
        }
        Forward f = new Forward(r.protocol(), r.hostIp(), hostPort, guestPort, r.containerPort());
        try {
            vm.vm().addHostForward(f.hostForward());
            return f;
        } catch (IOException e) {
            vm.releaseGuestPort(r.protocol(), guestPort);
            String at = (r.hostIp().isEmpty() ? "0.0.0.0" : r.hostIp()) + ":" + hostPort;
            throw new EngineException(EngineException.Kind.INTERNAL, "driver failed programming external connectivity: "
                    + "Bind for " + at + " failed: port is already allocated (" + e.getMessage()
                    + "). Free that port on the host, or publish on another one (-p OTHER:" + r.containerPort()
                    + ", or -p " + r.containerPort() + " for any free port)", e);
        }
    }

    /** Removes the forwards; the VM may already be gone, which removes them too. */
    public void unpublish(UtilityVm vm, List<Forward> forwards) {
        for (Forward f : forwards) {
            if (vm != null && vm.alive()) {
                try {
                    vm.vm().removeHostForward(f.hostForward());
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot remove the forward of host port " + f.hostPort() + "/" + f.protocol() + ": "
                            + e.getMessage());
                }
            }
            if (vm != null) {
                vm.releaseGuestPort(f.protocol(), f.guestPort());
            }
        }
    }

    private static int freePort(String protocol, String hostIp) throws EngineException {
        try {
            InetAddress at = hostIp.isEmpty() ? null : InetAddress.getByName(hostIp);
            if (protocol.equals("udp")) {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(at, 0))) {
                    return s.getLocalPort();
                }
            }
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(at, 0));
                return s.getLocalPort();
            }
        } catch (IOException e) {
            throw EngineException.invalid("cannot find a free " + protocol + " port on " + (hostIp.isEmpty() ? "the host"
                    : hostIp) + ": " + e.getMessage());
        }
    }
}
