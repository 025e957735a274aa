package dev.skiff.engine;

import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.engine.api.Backend;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Events;
import dev.skiff.engine.api.HostOptions;
import dev.skiff.engine.container.Container;
import dev.skiff.engine.container.ContainerConfig;
import dev.skiff.engine.container.HostRuntime;
import dev.skiff.engine.container.Status;
import dev.skiff.engine.container.ContainerStore;
import dev.skiff.engine.container.ContainerTable;
import dev.skiff.engine.container.HealthMonitor;
import dev.skiff.engine.container.ProcessOutput;
import dev.skiff.engine.container.RestartPolicies;
import dev.skiff.engine.container.Signals;
import dev.skiff.engine.image.ImageStore;
import dev.skiff.engine.mount.BindMounts;
import dev.skiff.engine.network.Networking;
import dev.skiff.engine.placement.Placement;
import dev.skiff.engine.placement.UtilityVm;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A container's runs: start (a VM placed or reused, its layers, bind mounts and network, then the
 * process through the agent), the wait for its exit, stop, kill and rm, and the restarts its policy
 * asks for. A container's {@code startLock} is held for a whole start and a whole removal, so a stop
 * or rm never races a start in flight; its monitor guards its state, and its {@code networkLock}
 * lets one caller give its network back while the others wait for that.
 */
final class Lifecycle {
    private static final Logger LOG = System.getLogger(Lifecycle.class.getName());
    private final ContainerTable table;
    private final ContainerStore store;
    private final Consumer<Container> save;
    private final Placement placement;
    private final ImageStore images;
    private final BindMounts bindMounts;
    private final Networking networking;
    private final HealthMonitor health;
    private final Events events;
    private final ProcessApi processApi;
    private final ExecApi execApi;
    private final VolumeApi volumeApi;

    Lifecycle(ContainerTable table, ContainerStore store, Consumer<Container> save, Placement placement,
              ImageStore images, BindMounts bindMounts, Networking networking, HealthMonitor health, Events events,
              ProcessApi processApi, ExecApi execApi, VolumeApi volumeApi) {
        this.table = table;
        this.store = store;
        this.save = save;
        this.placement = placement;
        this.images = images;
        this.bindMounts = bindMounts;
        this.networking = networking;
        this.health = health;
        this.events = events;
        this.processApi = processApi;
        this.execApi = execApi;
        this.volumeApi = volumeApi;
    }

    /** docker start: a user's start, after which the restart policy applies again. */
    void startByUser(Container c) throws EngineException {
        c.startLock.lock();
        try {
            synchronized (c) {
                if (c.status == Status.RESTARTING) {
                    // dockerd counts a restarting container as running
                    throw new EngineException(EngineException.Kind.NOT_MODIFIED, "container already started");
                }
                // a user's start: the policy applies again, with its retries and waits from the
                // start (moby's ResetRestartManager(true) sets RestartCount back to 0)
                c.manuallyStopped = false;
                c.restartCount = 0;
                c.restartDelay = java.time.Duration.ZERO;
            }
            start(c);
        } finally {
            c.startLock.unlock();
        }
    }

    /** A start by the restart policy: not if a user stopped it meanwhile (checked under the start lock). */
    private void startByPolicy(Container c) throws EngineException {
        c.startLock.lock();
        try {
            synchronized (c) {
                if (c.status != Status.RESTARTING || !table.contains(c.id)) {
                    return; // removed, or started by a user meanwhile
                }
                if (c.manuallyStopped) {
                    c.restartAbandoned();
                    return;
                }
            }
            start(c);
        } finally {
            c.startLock.unlock();
        }
    }

    private void start(Container c) throws EngineException {
        synchronized (c) {
            ProcessApi.checkNotPaused(c, "start");
            if (c.status == Status.RUNNING) {
                throw new EngineException(EngineException.Kind.NOT_MODIFIED, "container already started");
            }
            if (c.status == Status.REMOVING) {
                throw EngineException.conflict("container " + c.id + " is being removed");
            }
            c.starting = true;
        }
        UtilityVm vm = null;
        StartSteps steps = new StartSteps();
        try {
            Container joined = joinTarget(c);
            vm = table.vm(c.id);
            if (vm == null || !vm.alive()) {
                vm = placement.acquire(c.id, c.dedicated(), c.spec.hostOptionsOrDefault().limits().memory());
                table.place(c.id, vm);
            }
            steps.done("vm");
            AgentClient agent = vm.agent();
            try {
                // An earlier run of it (docker start again), or its rootfs mounted for docker cp: its
                // upper layer stays, as dockerd keeps a container's changes across restarts.
                agent.removeContainer(c.id, true, true);
            } catch (AgentException e) {
                if (e.vmGone()) {
                    throw e;
                }
            }
            steps.done("clean");
            List<String> layerIds = vm.layers(c.id, c.diffIds, images::layerDisk);
            steps.done("layers");
            for (String old : c.shares) {
                vm.unshare(old);
            }
            c.shares.clear();
            List<OciSpec.Bind> binds = bindMounts.attach(vm, c.spec.binds(), c.shares);
            steps.done("binds");
            HostOptions options = c.spec.hostOptionsOrDefault();
            OciSpec.Process process = HostRuntime.limits(
                    new OciSpec.Process(c.args, ContainerConfig.processEnv(c.env, c.hostname, c.spec.tty()), c.cwd,
                            c.spec.tty(), c.uid, c.gid), options, c.groups);
            Networking.Attached net;
            if (joined != null) {
                String theirs;
                synchronized (joined) {
                    theirs = joined.network.sandboxKey();
                }
                net = Networking.Attached.joining(c.spec.networkOrDefault().mode(), joined.id, theirs);
            } else {
                net = networking.attach(c.id, c.name, c.hostname, c.spec.networkOrDefault(), vm);
            }
            synchronized (c) {
                c.network = net.state();
                c.networkUp = true;
                c.forwards = net.forwards();
            }
            steps.done("network");
            byte[] spec = OciSpec.build(c.id, c.hostname, process, binds, net.oci(), HostRuntime.runtime(options));
            agent.createContainer(c.id, spec, layerIds, "scratch", AgentClient.stdio(c.spec.tty(), c.spec.openStdin()));
            steps.done("create");
            List<Thread> readers = ProcessOutput.read(agent, c.id, "", c.output, c.spec.tty());
            if (c.spec.openStdin()) {
                c.stdin.connect(agent.openInput(c.id, ""), c.id.substring(0, 12));
            }
            int pid;
            try {
                pid = agent.startContainer(c.id);
            } finally {
                placement.startEnded(c.id);
            }
            steps.done("start");
            synchronized (c) {
                c.status = c.status.next(Status.RUNNING);
                c.starting = false;
                c.pid = pid;
                c.startedAt = Instant.now();
                c.exitCode = 0;
                c.error = "";
                c.vm = vm.name();
                c.vmMode = vm.mode() == UtilityVm.Mode.SHARED ? "shared" : "dedicated";
            }
            health.started(c);
            events.publish("container", "start", c.id, Engine.attributes(c));
            save.accept(c);
            UtilityVm on = vm;
            Thread.ofVirtual().name("wait-" + c.id.substring(0, 12)).start(() -> awaitExit(c, on, readers));
            LOG.log(Level.DEBUG, () -> "container " + c.id.substring(0, 12) + " started: " + steps);
        } catch (IOException | RuntimeException | EngineException e) {
            endNetwork(c, vm);
            StartRefusal refused = e instanceof EngineException ? null
                    : StartRefusal.of(c.args.isEmpty() ? "" : c.args.getFirst(), e.getMessage());
            synchronized (c) {
                c.starting = false; // the status it had before the start stays, but for a restart's
                c.error = refused != null ? refused.message() : e.getMessage();
                if (refused != null) {
                    c.exitCode = refused.exitCode(); // as dockerd: inspect shows 127 or 126 with the error
                }
            }
            c.restartAbandoned(); // a policy restart that failed: the container is exited
            save.accept(c);
            if (vm != null && c.dedicated()) {
                table.unplace(c.id);
                placement.release(c.id);
            }
            LOG.log(Level.WARNING, "container " + c.id.substring(0, 12) + " did not start: " + e.getMessage());
            if (c.spec.autoRemove()) {
                // As dockerd does: docker run --rm waits for the removal after a failed start.
                Thread.ofVirtual().start(() -> {
                    try {
                        remove(table.find(c.id), true, true); // --rm: its anonymous volumes go too
                    } catch (EngineException ignored) {
                        // already gone
                    }
                });
            }
            if (e instanceof EngineException ee) {
                throw ee;
            }
            if (refused != null) {
                throw EngineException.invalid(refused.message());
            }
            throw new EngineException(EngineException.Kind.INTERNAL, "cannot start container " + c.id.substring(0, 12)
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * For {@code --network container:ID}: the running container whose namespace this one joins.
     * Both must be in the shared VM: a namespace lives in one kernel, and a dedicated VM is its
     * own container's alone.
     */
    private Container joinTarget(Container c) throws EngineException {
        String mode = c.spec.networkOrDefault().mode();
        if (!mode.startsWith("container:")) {
            return null;
        }
        Container other = table.find(mode.substring("container:".length()), "network container");
        if (!other.running()) {
            throw EngineException.conflict("cannot join the network of a non running container: " + other.id);
        }
        UtilityVm theirs = table.vm(other.id);
        if (c.dedicated() || theirs == null || theirs.mode() != UtilityVm.Mode.SHARED) {
            throw EngineException.invalid("--network container:" + other.name + ": under Skiff both containers must run "
                    + "in the shared VM (a network namespace lives in one VM's kernel); drop --isolation=hyperv from both");
        }
        return other;
    }

    void awaitExit(Container c, UtilityVm vm, List<Thread> readers) {
        int code;
        String why = null;
        try {
            code = vm.agent().waitProcess(c.id, "", null).getExitCode();
        } catch (AgentException e) {
            code = 255;
            why = e.vmGone() ? "the container's VM stopped or died" : e.getMessage();
        }
        ProcessOutput.awaitReaders(readers);
        health.stopped(c); // before the exit is known, so a start that follows it begins a new monitor
        // A dedicated VM lives as long as its container runs. It leaves the table before the exit is
        // known: a docker start right after the exit (docker run then start, a restart policy) must
        // not find it there, alive for a moment more, and run in a VM about to stop; its start waits
        // for this VM's stop instead, which keeps its disk (Placement.releasing).
        UtilityVm leaving = c.dedicated() ? table.unplace(c.id) : null;
        if (leaving != null) {
            placement.releasing(c.id);
        }
        boolean restart;
        synchronized (c) {
            restart = !c.spec.autoRemove() && RestartPolicies.afterExit(c.spec.restartOrNo(), code, c.restartCount,
                    c.manuallyStopped);
            if (restart) {
                c.restartCount++; // counted when decided, as moby's restart manager: "1 restarting", then "1 running"
            }
        }
        c.exited(code, why, restart); // "restarting" from here until the policy's start ends
        c.output.end(); // after the exit is recorded: a client whose attach ends inspects the container next
        // "die" as soon as the exit is known, as dockerd: a client that saw the container exited
        // (inspect, wait) finds the event, whatever the network's teardown in the VM takes after
        Map<String, String> died = new LinkedHashMap<>(Engine.attributes(c));
        died.put("exitCode", Integer.toString(code));
        events.publish("container", "die", c.id, died);
        endNetwork(c, vm);
        save.accept(c);
        LOG.log(Level.INFO, "container " + c.id.substring(0, 12) + " exited with " + code);
        if (leaving != null) {
            releaseVm(c, leaving); // before --rm's remove, which deletes the disk the release keeps
        }
        if (c.spec.autoRemove()) {
            try {
                remove(table.find(c.id), true, true); // --rm: its anonymous volumes go too
            } catch (EngineException e) {
                LOG.log(Level.WARNING, "auto-remove of " + c.id.substring(0, 12) + ": " + e.getMessage());
            }
        }
        if (restart) {
            synchronized (c) {
                Duration ran = c.startedAt == null ? Duration.ZERO : Duration.between(c.startedAt, c.finishedAt);
                c.restartDelay = RestartPolicies.nextDelay(c.restartDelay, ran);
            }
            scheduleRestart(c, c.restartDelay, true);
        }
    }

    /** A user's stop or kill: its restart policy leaves it stopped (until the daemon restarts, for "always"). */
    private void stoppedByUser(Container c) {
        synchronized (c) {
            c.manuallyStopped = true;
        }
        save.accept(c);
    }

    /**
     * Starts {@code c} again after {@code delay}, unless a user stopped or removed it meanwhile; {@code count} says
     * whether it is a policy restart (Docker's RestartCount) or a daemon start bringing it back.
     */
    void scheduleRestart(Container c, Duration delay, boolean count) {
        LOG.log(Level.INFO, "container " + c.id.substring(0, 12) + " restarts by its policy "
                + c.spec.restartOrNo().name() + " in " + delay.toMillis() + " ms");
        Thread.ofVirtual().name("restart-" + c.id.substring(0, 12)).start(() -> {
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                return;
            }
            try {
                if (count) {
                    startByPolicy(c);
                } else {
                    startByUser(table.find(c.id));
                }
            } catch (EngineException e) {
                LOG.log(Level.WARNING, "restart of " + c.id.substring(0, 12) + " failed: " + e.getMessage());
            }
        });
    }

    /** Takes the container out of its VM (a dedicated one stops), once the docker cp calls using it have ended. */
    private void releaseVm(Container c) {
        releaseVm(c, null);
    }

    /** As {@link #releaseVm(Container)}, for {@code unplaced}, a VM already taken out of the table (or null). */
    private void releaseVm(Container c, UtilityVm unplaced) {
        if (!c.vmUsers.beginRelease()) {
            LOG.log(Level.WARNING, "container " + c.id.substring(0, 12) + ": a docker cp still uses its VM after "
                    + c.vmUsers.patience().toSeconds() + " s; releasing the VM all the same, which ends that copy");
        }
        try {
            releaseVmOfUsers(c, unplaced != null ? unplaced : table.unplace(c.id));
        } finally {
            c.vmUsers.endRelease();
        }
    }

    private void releaseVmOfUsers(Container c, UtilityVm vm) {
        if (vm == null) {
            return;
        }
        if (vm.alive() && vm.mode() == UtilityVm.Mode.SHARED) {
            try {
                vm.agent().removeContainer(c.id, true);
            } catch (AgentException e) {
                LOG.log(Level.WARNING, "removing " + c.id.substring(0, 12) + " in its VM: " + e.getMessage());
            }
            for (String share : c.shares) {
                vm.unshare(share);
            }
        }
        try {
            vm.releaseLayers(c.id); // out of the guest: its layers may go once their image does
            c.shares.clear();
        } finally {
            placement.release(c.id); // always: a start of it may wait for this (Placement.releasing)
        }
    }

    /** The run's network goes back: host ports, the namespace in the VM, the address. */
    private void endNetwork(Container c, UtilityVm vm) {
        // One caller does the work (the exit waiter, or stop/rm when they get here first); the
        // other waits for it, so that stop and rm return with the ports given back.
        synchronized (c.networkLock) {
            Backend.NetworkState state;
            List<dev.skiff.engine.network.PortPublisher.Forward> forwards;
            synchronized (c) {
                if (!c.networkUp) {
                    return;
                }
                state = c.network;
                forwards = c.forwards;
            }
            networking.detach(c.id, state, forwards, vm);
            clearNetwork(c);
        }
    }

    static void clearNetwork(Container c) {
        synchronized (c) {
            c.network = Backend.NetworkState.idle(c.spec.networkOrDefault().mode());
            c.forwards = List.of();
            c.networkUp = false;
        }
    }

    /**
     * docker stop: its stop signal (the request's, the container's, else SIGTERM), then SIGKILL after
     * the timeout (the request's, the container's, else 10 s); returns with its network given back.
     */
    void stop(Container c, Integer timeoutSeconds, String signal) throws EngineException {
        stoppedByUser(c); // also cancels a restart its policy has scheduled
        c.startLock.lock(); // a start in flight (a policy restart) ends first; then it is stopped like any other
        c.startLock.unlock();
        if (c.restarting()) {
            c.restartAbandoned(); // between two runs: the restart is given up, which is the stop
            endNetwork(c, table.vm(c.id));
            events.publish("container", "stop", c.id, Engine.attributes(c));
            return;
        }
        if (!c.running()) {
            throw new EngineException(EngineException.Kind.NOT_MODIFIED, "container already stopped");
        }
        CompletableFuture<Integer> exit = c.nextExit();
        int sig = Signals.parse(signal != null && !signal.isEmpty() ? signal
                : c.spec.stopSignal() != null && !c.spec.stopSignal().isEmpty() ? c.spec.stopSignal() : "SIGTERM");
        int timeout = timeoutSeconds != null ? timeoutSeconds : c.spec.stopTimeout() != null ? c.spec.stopTimeout() : 10;
        signal(c, sig);
        try {
            exit.get(Math.max(0, timeout), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            LOG.log(Level.INFO, "container " + c.id.substring(0, 12) + " did not stop within " + timeout
                    + " s: killing it");
            signal(c, 9);
            awaitQuietly(exit);
        } catch (Exception e) {
            awaitQuietly(exit);
        }
        endNetwork(c, table.vm(c.id));
        events.publish("container", "stop", c.id, Engine.attributes(c));
    }

    private static void awaitQuietly(CompletableFuture<Integer> exit) {
        try {
            exit.get(60, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // reported through the container's state
        }
    }

    private void signal(Container c, int sig) throws EngineException {
        UtilityVm vm = table.vm(c.id);
        if (vm == null) {
            throw EngineException.conflict("Container " + c.id + " is not running");
        }
        try {
            vm.agent().signal(c.id, "", sig, false);
        } catch (AgentException e) {
            if (e.code() != dev.skiff.ttrpc.Code.NOT_FOUND) {
                throw AgentErrors.map("signal " + c.id.substring(0, 12), e);
            }
        }
        processApi.signalled(c, sig);
    }

    /** How long docker kill waits for the exit after SIGKILL, as dockerd's Kill (10 s, then it gives up). */
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);

    /** docker kill, of the container that {@code ref} named: SIGKILL unless the request names another signal. */
    void kill(Container c, String ref, String signal) throws EngineException {
        // taken before the running check: an exit between the two completes this future, where one
        // taken after it would be the next run's, and the kill would wait for nothing
        CompletableFuture<Integer> exit = c.nextExit();
        if (c.restarting()) {
            throw EngineException.conflict("Cannot kill container: " + ref + ": Container " + c.id
                    + " is restarting, wait until the container is running");
        }
        if (!c.running()) {
            throw EngineException.conflict("Cannot kill container: " + ref + ": Container " + c.id + " is not running");
        }
        stoppedByUser(c);
        int sig = Signals.parse(signal == null || signal.isEmpty() ? "SIGKILL" : signal);
        Map<String, String> killed = new LinkedHashMap<>(Engine.attributes(c));
        killed.put("signal", Integer.toString(sig));
        events.publish("container", "kill", c.id, killed);
        // As dockerd: a SIGKILL's kill returns once the container has exited (a docker start right
        // after it starts the container again instead of finding it running); other signals at once.
        signal(c, sig);
        if (sig == 9) {
            try {
                exit.get(KILL_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                LOG.log(Level.WARNING, "container " + c.id.substring(0, 12) + " had not exited " + KILL_WAIT.toSeconds()
                        + " s after SIGKILL; docker kill returns all the same");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException ignored) {
                // reported through the container's state
            }
        }
    }

    /** docker rm: {@code force} kills it if it runs, {@code volumes} takes its anonymous volumes with it. */
    void remove(Container c, boolean force, boolean volumes) throws EngineException {
        // A start in flight ends first, and none begins during the removal: a forced remove must not
        // release the VM under a start (issue 19). Safe from deadlock: start never waits for a remove,
        // and the exit that a forced remove awaits is completed before --rm's own remove is called.
        c.startLock.lock();
        try {
            removeLocked(c, force, volumes);
        } finally {
            c.startLock.unlock();
        }
    }

    private void removeLocked(Container c, boolean force, boolean volumes) throws EngineException {
        synchronized (c) {
            if (c.status == Status.REMOVING) {
                return;
            }
            if (!force) {
                ProcessApi.checkNotPaused(c, "remove");
            }
            if (c.status == Status.RESTARTING && !force) {
                throw EngineException.conflict("You cannot remove a restarting container " + c.id
                        + ". Stop the container before attempting removal or force remove");
            }
            if ((c.status == Status.RUNNING || c.starting) && !force) {
                throw EngineException.conflict("You cannot remove a running container " + c.id
                        + ". Stop the container before attempting removal or force remove");
            }
        }
        if (c.running()) {
            CompletableFuture<Integer> exit = c.nextExit();
            try {
                signal(c, 9);
            } catch (EngineException e) {
                LOG.log(Level.WARNING, "kill before remove: " + e.getMessage());
            }
            awaitQuietly(exit);
        }
        endNetwork(c, table.vm(c.id));
        synchronized (c) {
            if (c.status == Status.REMOVING) {
                return;
            }
            c.status = c.status.next(Status.REMOVING);
        }
        releaseVm(c);
        placement.awaitRelease(c.id); // the exit's own release of a dedicated VM: rm returns with it stopped
        placement.discard(c.id);
        table.remove(c.id);
        // Its image may have been deleted while it was in the VM (docker rmi -f leaves an image a
        // container uses only untagged, but another path may not): its layers may go now.
        placement.reclaimLayers(images::layerGone);
        execApi.forget(c.id);
        c.output.end(); // attached clients see the end
        c.output.close();
        try {
            store.delete(c.id);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot delete " + c.dir + ": " + e.getMessage());
        }
        if (volumes) {
            volumeApi.removeAnonymous(c.spec.binds());
        }
        events.publish("container", "destroy", c.id, Engine.attributes(c));
        c.removed.complete(c.exitCode);
        c.nextExit().complete(c.exitCode); // a wait for a restart's run that will not come ends too
    }
}
