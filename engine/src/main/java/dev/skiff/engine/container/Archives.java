package dev.skiff.engine.container;

import dev.skiff.agent.api.ArchivePaths;
import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.ArchiveStreams;
import dev.skiff.engine.api.Backend.ArchiveRead;
import dev.skiff.engine.api.Backend.PathStat;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.image.ImageStore;
import dev.skiff.engine.placement.Placement;
import dev.skiff.engine.placement.UtilityVm;
import dev.skiff.ttrpc.Code;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;

/**
 * docker cp for the engine (moby daemon/archive.go): finds the container's VM and has its agent
 * stat, tar or extract the path there. A running container is copied as its processes see it; a
 * created or stopped one through its root file system, which the agent assembles on demand in the
 * VM the container runs in (booted for it if it has none: the shared VM, or its dedicated one,
 * which then stays for its start). The tar's bytes stream between the HTTP connection and the
 * agent; neither side holds more than a window of them. Each call holds the container's
 * {@link VmUsers}, so its VM is not stopped under it when the container exits or is removed.
 */
public final class Archives {
    private final ContainerTable table;
    private final Placement placement;
    private final ImageStore images;

    public Archives(ContainerTable table, Placement placement, ImageStore images) {
        this.table = table;
        this.placement = placement;
        this.images = images;
    }

    /** One call to the container's agent. */
    @FunctionalInterface
    private interface Call<T> {
        T on(AgentClient agent) throws IOException;
    }

    /**
     * Runs a call on the agent that holds the container's files. A container that just exited
     * may have its dedicated VM stopped under the call: then it runs once more, on the VM the
     * container gets now.
     */
    private <T> T withAgent(Container c, String ref, String path, Call<T> call) throws EngineException {
        try {
            try {
                return call.on(agent(c));
            } catch (AgentException e) {
                if (!e.vmGone() || c.running()) {
                    throw e;
                }
                return call.on(agent(c));
            }
        } catch (IOException e) {
            throw map(e, ref, path);
        }
    }

    public PathStat stat(String ref, String path) throws EngineException {
        Container c = table.find(ref);
        String p = checked(path);
        c.vmUsers.enter();
        try {
            return pathStat(withAgent(c, ref, path, agent -> agent.statPath(c.id, p)));
        } finally {
            c.vmUsers.leave();
        }
    }

    /** The tar of {@code path}; the container's VM stays with it until the returned read is closed. */
    public ArchiveRead read(String ref, String path) throws EngineException {
        Container c = table.find(ref);
        String p = checked(path);
        c.vmUsers.enter();
        ArchiveStreams.Read read;
        PathStat stat;
        try {
            read = withAgent(c, ref, path, agent -> agent.readArchive(c.id, p));
            stat = pathStat(read.stat());
        } catch (EngineException | RuntimeException e) {
            c.vmUsers.leave();
            throw e;
        }
        return new ArchiveRead() {
            private boolean closed;

            @Override
            public PathStat stat() {
                return stat;
            }

            @Override
            public void transferTo(OutputStream out) throws IOException {
                read.transferTo(out);
            }

            @Override
            public void close() {
                try {
                    read.close();
                } finally {
                    synchronized (this) {
                        if (!closed) {
                            closed = true;
                            c.vmUsers.leave();
                        }
                    }
                }
            }
        };
    }

    public void extract(String ref, String path, boolean noOverwriteDirNonDir, boolean copyUidGid, InputStream tar)
            throws EngineException, IOException {
        Container c = table.find(ref);
        String p = checked(path);
        c.vmUsers.enter();
        try {
            agent(c).writeArchive(c.id, p, noOverwriteDirNonDir, copyUidGid, tar);
        } catch (AgentException e) {
            throw map(e, ref, path);
        } finally {
            c.vmUsers.leave();
        }
    }

    private static String checked(String path) throws EngineException {
        try {
            return ArchivePaths.absolute(path);
        } catch (IllegalArgumentException e) {
            throw EngineException.invalid(e.getMessage());
        }
    }

    /**
     * The agent that holds the container's files: its VM's, with its root file system mounted
     * when it does not run (moby mounts it for the copy too).
     */
    private AgentClient agent(Container c) throws EngineException, IOException {
        synchronized (c) {
            if (c.status == Status.REMOVING) {
                throw EngineException.conflict("container " + c.id + " is being removed");
            }
        }
        if (c.running()) {
            UtilityVm vm = table.vm(c.id);
            if (vm != null && vm.alive()) {
                return vm.agent();
            }
        }
        synchronized (this) {
            UtilityVm vm = table.vm(c.id);
            if (vm == null || !vm.alive()) {
                vm = placement.acquire(c.id, c.dedicated(), c.spec.hostOptionsOrDefault().limits().memory());
                table.place(c.id, vm);
            }
            List<String> layerIds = vm.layers(c.id, c.diffIds, images::layerDisk);
            vm.agent().mountRootfs(c.id, layerIds, "scratch");
            return vm.agent();
        }
    }

    static PathStat pathStat(dev.skiff.agent.api.PathStat s) {
        long nanos = s.getMtimeUnixNanos();
        return new PathStat(s.getName(), s.getSize(), s.getMode(),
                Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L)),
                s.getLinkTarget());
    }

    /** The agent's answer as dockerd words it: containerFileNotFound, InvalidParameter, or a system error. */
    static EngineException map(IOException e, String ref, String path) {
        if (e instanceof AgentException a && !a.vmGone()) {
            if (a.code() == Code.NOT_FOUND) {
                return EngineException.notFound("Could not find the file " + path + " in container " + ref);
            }
            if (a.code() == Code.INVALID_ARGUMENT) {
                return EngineException.invalid(a.detail());
            }
            return new EngineException(EngineException.Kind.INTERNAL, a.detail(), e);
        }
        return new EngineException(EngineException.Kind.INTERNAL, "copy " + path + " in container " + ref + ": "
                + e.getMessage(), e);
    }
}
