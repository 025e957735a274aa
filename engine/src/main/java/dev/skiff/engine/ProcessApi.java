package dev.skiff.engine;

import dev.skiff.agent.client.AgentException;
import dev.skiff.engine.api.Backend.ProcessList;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Events;
import dev.skiff.engine.api.StatsSample;
import dev.skiff.engine.container.Container;
import dev.skiff.engine.container.ContainerTable;
import dev.skiff.engine.container.GuestStats;
import dev.skiff.engine.container.PsTable;
import dev.skiff.engine.placement.UtilityVm;
import dev.skiff.ttrpc.Code;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.Consumer;

/**
 * A running container's processes, through its VM's agent: docker top, stats, pause and unpause.
 * What the guest answers is checked ({@link PsTable}, {@link GuestStats}) before it is used.
 *
 * <p>Pause is runc pause in the guest (the cgroup v2 freezer). The container stays "running" in
 * the engine's record with {@link Container#paused} set, which is kept on disk, so a daemon
 * restart (whose VMs and agents live on, frozen cgroup and all) reports it paused still. As
 * dockerd does, a signal other than SIGKILL to a paused container is followed by a resume, so
 * that docker stop's SIGTERM is delivered; SIGKILL needs none (a frozen process dies of it).
 */
final class ProcessApi {
    private static final Logger LOG = System.getLogger(ProcessApi.class.getName());
    private static final int SIGKILL = 9;

    private final ContainerTable table;
    private final Events events;
    private final Consumer<Container> save;

    ProcessApi(ContainerTable table, Events events, Consumer<Container> save) {
        this.table = table;
        this.events = events;
        this.save = save;
    }

    ProcessList top(Container c) throws EngineException {
        UtilityVm vm = running(c);
        try {
            return PsTable.of(vm.agent().listProcesses(c.id), Instant.now(), ZoneId.systemDefault());
        } catch (AgentException e) {
            throw failed("list the processes of", c, e);
        } catch (IllegalArgumentException e) {
            throw untrusted("process list", c, e);
        }
    }

    StatsSample stats(Container c) throws EngineException {
        UtilityVm vm = table.vm(c.id);
        if (vm == null || !c.running()) {
            return StatsSample.stopped(c.id, "/" + c.name);
        }
        try {
            return GuestStats.sample(c.id, "/" + c.name, vm.agent().stats(c.id), Instant.now());
        } catch (AgentException e) {
            if (!c.running() || e.vmGone() || e.code() == Code.NOT_FOUND) {
                return StatsSample.stopped(c.id, "/" + c.name); // it stopped meanwhile
            }
            throw failed("read the stats of", c, e);
        } catch (IllegalArgumentException e) {
            throw untrusted("stats", c, e);
        }
    }

    void pause(Container c) throws EngineException {
        UtilityVm vm = running(c);
        synchronized (c) {
            if (c.paused) {
                throw EngineException.conflict("Container " + c.id + " is already paused");
            }
        }
        try {
            vm.agent().pause(c.id);
        } catch (AgentException e) {
            throw e.code() == Code.FAILED_PRECONDITION ? refused(c, " is already paused") : failed("pause", c, e);
        }
        changed(c, true);
    }

    void unpause(Container c) throws EngineException {
        synchronized (c) {
            if (!c.paused) {
                throw EngineException.conflict("Container " + c.id + " is not paused");
            }
        }
        resume(c);
    }

    /**
     * After a signal: a paused container is resumed so that the signal is delivered (as dockerd,
     * which only warns when that fails: docker stop goes on to SIGKILL after its timeout).
     */
    void signalled(Container c, int signal) {
        boolean paused;
        synchronized (c) {
            paused = c.paused;
        }
        if (paused && signal != SIGKILL) {
            try {
                resume(c);
            } catch (EngineException e) {
                LOG.log(Level.WARNING, "cannot unpause " + c.id.substring(0, 12) + " after signal " + signal + ": "
                        + e.getMessage());
            }
        }
    }

    /** Start, exec and rm (without force) of a paused container are refused, in dockerd's words. */
    static void checkNotPaused(Container c, String verb) throws EngineException {
        synchronized (c) {
            if (!c.paused) {
                return;
            }
        }
        throw EngineException.conflict(switch (verb) {
            case "start" -> "cannot start a paused container, try unpause instead";
            case "remove" -> "You cannot remove a paused container " + c.id
                    + ". Unpause and then stop the container before attempting removal or force remove";
            default -> "Container " + c.id + " is paused, unpause the container before " + verb;
        });
    }

    private void resume(Container c) throws EngineException {
        UtilityVm vm = running(c);
        try {
            vm.agent().resume(c.id);
        } catch (AgentException e) {
            throw e.code() == Code.FAILED_PRECONDITION ? refused(c, " is not paused") : failed("unpause", c, e);
        }
        changed(c, false);
    }

    private void changed(Container c, boolean paused) {
        synchronized (c) {
            c.paused = paused;
        }
        save.accept(c);
        events.publish("container", paused ? "pause" : "unpause", c.id, Engine.attributes(c));
    }

    private UtilityVm running(Container c) throws EngineException {
        UtilityVm vm = table.vm(c.id);
        if (vm == null || !c.running()) {
            throw EngineException.conflict("Container " + c.id + " is not running");
        }
        return vm;
    }

    /** The agent refused the change of state: it has stopped meanwhile, or was already in that state. */
    private static EngineException refused(Container c, String why) {
        return EngineException.conflict("Container " + c.id + (c.running() ? why : " is not running"));
    }

    private static EngineException failed(String verb, Container c, AgentException e) {
        return AgentErrors.map("cannot " + verb + " container " + c.id.substring(0, 12), e);
    }

    private static EngineException untrusted(String what, Container c, IllegalArgumentException e) {
        return new EngineException(EngineException.Kind.INTERNAL, "the VM of container " + c.id.substring(0, 12)
                + " sent a " + what + " that is not valid: " + e.getMessage(), e);
    }
}
