package dev.skiff.engine.mount;

import dev.skiff.agent.client.OciSpec;
import dev.skiff.engine.api.Backend.BindMount;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.placement.UtilityVm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A container's bind mounts from the host, made real in its VM: a folder (or the folder of a
 * file) is served over 9P on a port of its own; a unix socket is forwarded through the {@link
 * SocketRelay}. The names containers use for Docker's socket, /var/run/docker.sock and
 * /run/docker.sock, mean the daemon's own API socket, as Docker Desktop maps them, so Testcontainers'
 * Ryuk, CI runners and the docker CLI work inside containers.
 */
public final class BindMounts implements AutoCloseable {
    /** Host paths that stand for the daemon's own API socket, whatever is at them on the host. */
    public static final Set<String> DOCKER_SOCKETS = Set.of("/var/run/docker.sock", "/run/docker.sock");

    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** Folders watched per bind mount for changes made outside its VM (inotify watches cost kernel memory). */
    static final int MAX_WATCHED_FOLDERS = 16_384;

    private final SocketRelay relay;
    private final Path apiSocket;
    private final HostWatch watch = new HostWatch(MAX_WATCHED_FOLDERS);

    public BindMounts(SocketRelay relay, Path apiSocket) {
        this.relay = relay;
        this.apiSocket = apiSocket;
    }

    /** Ends the host watch of every bind mount. */
    @Override
    public void close() {
        watch.close();
    }

    /**
     * Checks a bind at create and again at start: absolute paths, and a source that exists or may be
     * created (docker -v creates a missing host folder; --mount does not).
     */
    public static void check(BindMount b) throws EngineException {
        Path host = Path.of(b.hostPath());
        if (!host.isAbsolute()) {
            throw EngineException.invalid("invalid mount config for type \"bind\": invalid mount path: '" + b.hostPath()
                    + "' mount path must be absolute");
        }
        if (!b.containerPath().startsWith("/")) {
            throw EngineException.invalid("invalid mount config for type \"bind\": invalid mount path: '"
                    + b.containerPath() + "' mount path must be absolute");
        }
        if (DOCKER_SOCKETS.contains(host.normalize().toString()) || Files.exists(host)) {
            return;
        }
        if (!b.createHostPath()) {
            throw EngineException.invalid("invalid mount config for type \"bind\": bind source path does not exist: "
                    + b.hostPath());
        }
        try {
            Files.createDirectories(host);
        } catch (IOException e) {
            throw EngineException.invalid("cannot create the bind source " + b.hostPath() + ": " + e.getMessage());
        }
    }

    /**
     * Makes each bind available in {@code vm} and returns the OCI binds naming them; the id of every
     * storage made is added to {@code storages}, so that the caller releases them with the run
     * (through {@link UtilityVm#unshare}) even when a later bind fails.
     */
    public List<OciSpec.Bind> attach(UtilityVm vm, List<BindMount> binds, List<String> storages)
            throws IOException, EngineException {
        List<OciSpec.Bind> out = new ArrayList<>();
        for (BindMount b : binds) {
            check(b);
            Path host = Path.of(b.hostPath());
            Path socket = socketTarget(host);
            if (socket != null) {
                SocketRelay.Ticket ticket = relay.open(socket);
                String storage = vm.forwardSocket(ticket);
                ticket.saveAs(storage); // for a later daemon to take up
                storages.add(storage);
                out.add(new OciSpec.Bind(storage, "", b.containerPath(), b.readOnly()));
                continue;
            }
            Served served = Served.of(host);
            String storage = vm.share(served.dir(), b.readOnly(), watch, served.onlyName());
            storages.add(storage);
            out.add(new OciSpec.Bind(storage, served.onlyName() == null ? "" : served.onlyName(), b.containerPath(),
                    b.readOnly()));
        }
        return out;
    }

    /**
     * Takes up the bind mounts of a container an earlier daemon started, still running in {@code
     * vm}: each 9P share gets a new server on its port ({@link UtilityVm#reshare}), and the guest's
     * relay brings it to the state of the kernel's session; a forwarded socket's token is live again in
     * the relay ({@link SocketRelay#resume}). {@code storages} are the container's
     * storage ids in the order of its binds, as {@link #attach} made them. Returns what could not be
     * taken up, one line each, for the log.
     */
    public List<String> restore(UtilityVm vm, List<BindMount> binds, List<String> storages) {
        if (storages.size() != binds.size()) {
            return List.of("its record names " + storages.size() + " storages for " + binds.size() + " binds");
        }
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < binds.size(); i++) {
            BindMount b = binds.get(i);
            Path host = Path.of(b.hostPath());
            Path socket = socketTarget(host);
            if (socket != null) {
                // the guest's end still connects to the relay's port with its token: both come back
                try {
                    vm.adoptSocket(storages.get(i), relay.resume(storages.get(i), socket));
                } catch (IOException e) {
                    problems.add(b.hostPath() + ": its forwarded socket cannot be taken up (restart the container"
                            + " to reach it again): " + e.getMessage());
                }
                continue;
            }
            Served served = Served.of(host);
            try {
                vm.reshare(storages.get(i), served.dir(), b.readOnly(), watch, served.onlyName());
            } catch (IOException e) {
                problems.add(b.hostPath() + ": " + e.getMessage());
            }
        }
        return problems;
    }

    /** Live restore is over: the forwards saved for containers that did not come back are dropped. */
    public void restored() {
        relay.forgetUnclaimed();
    }

    /**
     * What a bind source's share serves: a folder itself (onlyName null), or the folder of a file
     * and that file's name, which the container binds and the host watch limits itself to.
     */
    private record Served(Path dir, String onlyName) {
        static Served of(Path host) {
            return Files.isDirectory(host) ? new Served(host, null)
                    : new Served(host.getParent(), host.getFileName().toString());
        }
    }

    /** The host socket a bind source stands for, or null when it is a file or folder to share. */
    Path socketTarget(Path host) {
        if (DOCKER_SOCKETS.contains(host.normalize().toString()) || host.normalize().equals(apiSocket)) {
            return apiSocket;
        }
        return isSocket(host) ? host : null;
    }

    /** Whether {@code p} is a unix socket, following links as the bind does. */
    static boolean isSocket(Path p) {
        try {
            return ((Integer) Files.getAttribute(p, "unix:mode") & S_IFMT) == S_IFSOCK;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
