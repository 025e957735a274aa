package dev.skiff.engine;

import dev.skiff.agent.client.AgentClient;
import dev.skiff.agent.client.AgentException;
import dev.skiff.agent.client.OciSpec;
import dev.skiff.engine.api.Backend;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Events;
import dev.skiff.engine.api.Progress;
import dev.skiff.engine.container.Archives;
import dev.skiff.engine.container.Container;
import dev.skiff.engine.container.ContainerConfig;
import dev.skiff.engine.container.ContainerStore;
import dev.skiff.engine.container.ContainerTable;
import dev.skiff.engine.container.Frame;
import dev.skiff.engine.container.HealthMonitor;
import dev.skiff.engine.container.ProcessOutput;
import dev.skiff.engine.container.RestartPolicies;
import dev.skiff.engine.container.Signals;
import dev.skiff.engine.image.ImageStore;
import dev.skiff.engine.mount.BindMounts;
import dev.skiff.engine.mount.SocketRelay;
import dev.skiff.engine.network.NetworkRegistry;
import dev.skiff.engine.network.Networking;
import dev.skiff.engine.network.SwitchFabric;
import dev.skiff.engine.placement.Placement;
import dev.skiff.engine.placement.UtilityVm;
import dev.skiff.engine.volume.VolumeStore;
import dev.skiff.registry.Credentials;
import dev.skiff.registry.RegistryClient;
import dev.skiff.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The engine: containers on utility VMs, images from the store, bind mounts over 9P. Implements
 * the Docker API's {@link Backend}. Container state is persisted at every change; VMs and their
 * containers outlive the daemon.
 */
public final class Engine implements Backend, AutoCloseable {
    public static final String VERSION = dev.skiff.agent.api.SkiffVersion.VERSION;

    private final ImageStore images;
    private final RegistryClient registries;
    private final ContainerStore store;
    private final Placement placement;
    private final Path dataRoot;
    private final Consumer<String> log;
    private final ContainerTable table;
    private final Networking networking;
    private final SwitchFabric fabric;
    private final NetworkApi networkApi;
    private final VolumeApi volumeApi;
    private final ExecApi execApi;
    private final ProcessApi processApi;
    private final Events events = new Events();
    private final Archives archives;
    private final SocketRelay relay;
    private final BindMounts bindMounts;
    private final HealthMonitor health;

    /**
     * @param apiSocket the daemon's API socket, which containers reach through a bind of it or of
     *     /var/run/docker.sock
     */
    public Engine(Path dataRoot, ImageStore images, RegistryClient registries, Placement placement, Path apiSocket,
                  Consumer<String> log) throws IOException {
        this.dataRoot = dataRoot;
        this.relay = new SocketRelay(log);
        this.bindMounts = new BindMounts(relay, apiSocket);
        this.images = images;
        this.registries = registries;
        this.store = new ContainerStore(dataRoot.resolve("containers"));
        this.table = new ContainerTable(store.loadAll());
        this.placement = placement;
        this.log = log;
        this.fabric = new SwitchFabric(this::addressesOn, log);
        this.networking = new Networking(new NetworkRegistry(dataRoot), fabric, log);
        this.execApi = new ExecApi(table);
        this.processApi = new ProcessApi(table, events, this::save, log);
        this.volumeApi = new VolumeApi(new VolumeStore(dataRoot.resolve("volumes")), images, table, log);
        this.networkApi = new NetworkApi(networking, table, this::save, log);
        this.archives = new Archives(table, placement, images);
        this.health = new HealthMonitor(execApi::probe, HealthMonitor.virtualThreads(), java.time.Clock.systemUTC(),
                (c, h) -> {
                    save(c);
                    events.publish("container", "health_status: " + h.status(), c.id, attributes(c));
                });
    }

    /**
     * Live restore: finds the VMs an earlier daemon left running, reconnects to their agents and
     * picks up the containers still running there (their output and exits). A container whose VM
     * is gone is marked exited. Bind mounts of restored containers stay as they were in the guest,
     * but their 9P sessions died with the old daemon (see the closing notes of the engine issue).
     */
    public void restore(dev.skiff.vm.VmDriver driver) {
        Map<String, UtilityVm> byName = new java.util.HashMap<>();
        try {
            for (String vmId : driver.running()) {
                dev.skiff.vm.Vm vm = null;
                try {
                    vm = driver.attach(vmId);
                    AgentClient agent = AgentClient.over(vm.channel(dev.skiff.agent.api.GuestPaths.AGENT_PORT).connect());
                    agent.ping(Duration.ofSeconds(60));
                    UtilityVm u = UtilityVm.attached(vm, agent, agent.guestInfo().getBootId());
                    byName.put(u.name(), u);
                    log.accept("re-attached to VM " + u.name() + " (pid " + vm.pid() + ")");
                } catch (IOException | RuntimeException e) {
                    log.accept("cannot re-attach to VM " + vmId + ": " + e.getMessage());
                    if (vm != null) {
                        vm.detach();
                    }
                }
            }
        } catch (IOException e) {
            log.accept("cannot list the VMs of an earlier daemon: " + e.getMessage());
        }
        for (Container c : table.all()) {
            boolean wasRunning;
            synchronized (c) {
                wasRunning = c.status.equals("running") || c.status.equals("starting");
            }
            if (!wasRunning) {
                continue;
            }
            UtilityVm u = byName.get(c.vm);
            if (u == null || !u.alive()) {
                c.exited(255, "its VM " + c.vm + " is gone");
                clearNetwork(c);
                save(c);
                continue;
            }
            // Its published ports live in QEMU and its namespace in the VM: both are still there.
            networking.restore(c.network, c.forwards, u);
            synchronized (c) {
                c.networkUp = true;
            }
            u.containers().add(c.id);
            table.place(c.id, u);
            if (!c.paused) {
                health.started(c); // as moby's restore: its checks begin again, "starting"
            }
            List<Thread> readers = ProcessOutput.read(u.agent(), c.id, "", c.output, c.spec.tty());
            Thread.ofVirtual().name("wait-" + c.id.substring(0, 12)).start(() -> awaitExit(c, u, readers));
            log.accept("container " + c.id.substring(0, 12) + " is still running in " + u.name());
        }
        for (UtilityVm u : byName.values()) {
            placement.adopt(u);
        }
        for (Container c : table.all()) {
            boolean back;
            synchronized (c) {
                back = c.status.equals("exited") && RestartPolicies.atDaemonStart(c.spec.restartOrNo(), c.exitCode,
                        c.restartCount, c.manuallyStopped, c.startedAt != null);
                if (back) {
                    c.manuallyStopped = false; // "always" after a user's stop: the daemon start undoes it
                }
            }
            if (back) {
                scheduleRestart(c, Duration.ZERO, false);
            }
        }
    }

    // ---------------------------------------------------------------- system

    @Override
    public VersionInfo version() {
        return new VersionInfo(VERSION, dev.skiff.engine.api.ApiVersions.CURRENT, dev.skiff.engine.api.ApiVersions.MINIMUM, "linux", "amd64", System.getProperty("os.version"));
    }

    @Override
    public SystemInfo info() {
        int running = 0;
        int paused = 0;
        int stopped = 0;
        for (Container c : table.all()) {
            if (c.state().status().equals("paused")) {
                paused++;
            } else if (c.running()) {
                running++;
            } else {
                stopped++;
            }
        }
        List<VmInfo> vms = new ArrayList<>();
        for (UtilityVm vm : placement.vms()) {
            vms.add(new VmInfo(vm.name(), vm.mode() == UtilityVm.Mode.SHARED ? "shared" : "dedicated", vm.bootId(),
                    vm.vm().pid(), List.copyOf(vm.containers())));
        }
        return new SystemInfo(table.size(), running, paused, stopped, images.list().size(), "skiff",
                Runtime.getRuntime().maxMemory(), Runtime.getRuntime().availableProcessors(), dataRoot.toString(), vms);
    }

    // ---------------------------------------------------------------- images

    @Override
    public List<ImageSummary> images() {
        return images.list().stream().map(ImageStore.Image::summary).toList();
    }

    @Override
    public ImageDetail inspectImage(String ref) throws EngineException {
        return images.resolve(ref).detail();
    }

    @Override
    public List<String> loadImages(InputStream archive, Consumer<String> progress) throws EngineException, IOException {
        List<String> loaded = images.load(archive, progress);
        loaded.forEach(name -> events.publish("image", "load", name, Map.of("name", name)));
        return loaded;
    }

    @Override
    public String importImage(InputStream rootfsTar, String repo, String tag, Map<String, String> changes,
            Consumer<String> progress) throws EngineException, IOException {
        String ref = repo == null || repo.isEmpty() ? null : repo + (tag == null || tag.isEmpty() ? "" : ":" + tag);
        String id = images.importRootfs(rootfsTar, ref, changes, progress).id();
        events.publish("image", "import", id, Map.of("name", ref == null ? id : ref));
        return id;
    }

    @Override
    public String pullImage(String ref, String platform, String registryAuth, Progress progress)
            throws EngineException, IOException {
        String id = images.pull(registries, ref, platform, Credentials.fromHeader(registryAuth), progress);
        events.publish("image", "pull", ref, Map.of("name", ref));
        return id;
    }

    @Override
    public void pushImage(String name, String tag, String registryAuth, Progress progress)
            throws EngineException, IOException {
        images.push(registries, name, tag, Credentials.fromHeader(registryAuth), progress);
        String ref = name + ":" + (tag == null || tag.isEmpty() ? "latest" : tag);
        events.publish("image", "push", ref, Map.of("name", ref));
    }

    @Override
    public void saveImages(List<String> names, OutputStream out) throws EngineException, IOException {
        images.save(names, out);
    }

    @Override
    public String login(Credentials credentials) throws EngineException {
        try {
            return registries.login(credentials);
        } catch (RegistryException e) {
            throw new EngineException(e.kind() == RegistryException.Kind.UNAUTHORIZED
                    ? EngineException.Kind.UNAUTHORIZED : EngineException.Kind.INTERNAL, e.getMessage(), e);
        }
    }

    @Override
    public void tagImage(String ref, String repo, String tag) throws EngineException {
        try {
            String target = repo + ":" + (tag == null || tag.isEmpty() ? "latest" : tag);
            images.tag(ref, target);
            events.publish("image", "tag", images.resolve(target).id(), Map.of("name", target));
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "cannot tag " + ref + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<Map<String, String>> removeImage(String ref, boolean force) throws EngineException {
        List<Map<String, String>> lines = images.remove(ref, force,
                id -> table.all().stream().anyMatch(c -> c.imageId.equals(id)));
        for (Map<String, String> line : lines) {
            line.forEach((what, name) -> events.publish("image", what.equals("Untagged") ? "untag" : "delete", name,
                    Map.of("name", name)));
        }
        return lines;
    }

    // ---------------------------------------------------------------- containers

    @Override
    public String createContainer(String name, CreateSpec requested) throws EngineException {
        ImageStore.Image image = images.resolve(requested.image());
        CreateSpec spec = requested.withNetwork(networking.check(requested.networkOrDefault(),
                image.config().exposedPorts()));
        String mode = spec.networkOrDefault().mode();
        if (mode.startsWith("container:")) {
            // Kept by full id, as dockerd does, so a rename or a name reuse cannot change it.
            Container other = table.find(mode.substring("container:".length()), "network container");
            spec = spec.withNetwork(spec.network().withMode("container:" + other.id));
        }
        name = ContainerTable.checkedName(name);
        String isolation = spec.isolation() == null ? "" : spec.isolation();
        if (!isolation.isEmpty() && !isolation.equals("default") && !isolation.equalsIgnoreCase("hyperv")
                && !isolation.equals("process")) {
            throw EngineException.invalid("invalid isolation \"" + isolation + "\": use default (the shared VM) or hyperv (a VM of its own)");
        }
        for (BindMount b : spec.binds()) {
            if (!b.isVolume()) {
                BindMounts.check(b);
            }
        }
        ImageConfig ic = image.config();
        ContainerConfig config = ContainerConfig.resolve(spec, ic);
        CreateSpec stored = config.spec().withBinds(volumeApi.bind(config.spec().binds(), ic.volumes(), image.id()));
        try {
            Container c = table.register(name, (id, finalName) -> {
                String hostname = ContainerConfig.nonEmpty(stored.hostname(), id.substring(0, 12));
                Container made = new Container(id, finalName, Instant.now(), stored.image(), image.id(), image.diffIds(),
                        stored, config.args(), config.env(), config.cwd(), config.uid(), config.gid(), hostname,
                        store.dir(id));
                try {
                    store.save(made);
                } catch (IOException e) {
                    throw new EngineException(EngineException.Kind.INTERNAL, "cannot save container state: " + e.getMessage(), e);
                }
                return made;
            });
            events.publish("container", "create", c.id, attributes(c));
            return c.id;
        } catch (EngineException | RuntimeException e) {
            volumeApi.removeAnonymous(stored.binds());
            throw e;
        }
    }

    @Override
    public void startContainer(String ref) throws EngineException {
        Container c = table.find(ref);
        c.startLock.lock();
        try {
            synchronized (c) {
                c.manuallyStopped = false; // a user's start: the policy applies again
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
                if (c.manuallyStopped || !c.status.equals("exited") || !table.contains(c.id)) {
                    return;
                }
                c.restartCount++;
            }
            start(c);
        } finally {
            c.startLock.unlock();
        }
    }

    private void start(Container c) throws EngineException {
        synchronized (c) {
            ProcessApi.checkNotPaused(c, "start");
            if (c.status.equals("running")) {
                throw new EngineException(EngineException.Kind.NOT_MODIFIED, "container already started");
            }
            if (c.status.equals("removing")) {
                throw EngineException.conflict("container " + c.id + " is being removed");
            }
            c.status = "starting";
        }
        UtilityVm vm = null;
        try {
            Container joined = joinTarget(c);
            vm = table.vm(c.id);
            if (vm == null || !vm.alive()) {
                vm = placement.acquire(c.id, c.dedicated());
                table.place(c.id, vm);
            }
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
            List<String> layerIds = vm.layers(c.diffIds, images::layerDisk);
            for (String old : c.shares) {
                vm.unshare(old);
            }
            c.shares.clear();
            List<OciSpec.Bind> binds = bindMounts.attach(vm, c.spec.binds(), c.shares);
            OciSpec.Process process = new OciSpec.Process(c.args, c.env, c.cwd, c.spec.tty(), c.uid, c.gid);
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
            byte[] spec = OciSpec.build(c.id, c.hostname, process, binds, net.oci());
            agent.createContainer(c.id, spec, layerIds, "scratch", AgentClient.stdio(c.spec.tty(), c.spec.openStdin()));
            List<Thread> readers = ProcessOutput.read(agent, c.id, "", c.output, c.spec.tty());
            if (c.spec.openStdin()) {
                c.stdin.connect(agent.openInput(c.id, ""), c.id.substring(0, 12));
            }
            int pid = agent.startContainer(c.id);
            synchronized (c) {
                c.status = "running";
                c.pid = pid;
                c.startedAt = Instant.now();
                c.exitCode = 0;
                c.error = "";
                c.vm = vm.name();
                c.vmMode = vm.mode() == UtilityVm.Mode.SHARED ? "shared" : "dedicated";
            }
            health.started(c);
            events.publish("container", "start", c.id, attributes(c));
            save(c);
            UtilityVm on = vm;
            Thread.ofVirtual().name("wait-" + c.id.substring(0, 12)).start(() -> awaitExit(c, on, readers));
        } catch (IOException | RuntimeException | EngineException e) {
            endNetwork(c, vm);
            synchronized (c) {
                c.status = c.startedAt == null ? "created" : "exited";
                c.error = e.getMessage();
            }
            save(c);
            if (vm != null && c.dedicated()) {
                table.unplace(c.id);
                placement.release(c.id);
            }
            log.accept("container " + c.id.substring(0, 12) + " did not start: " + e.getMessage());
            if (c.spec.autoRemove()) {
                // As dockerd does: docker run --rm waits for the removal after a failed start.
                Thread.ofVirtual().start(() -> {
                    try {
                        removeContainer(c.id, true, true); // --rm: its anonymous volumes go too
                    } catch (EngineException ignored) {
                        // already gone
                    }
                });
            }
            if (e instanceof EngineException ee) {
                throw ee;
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

    private void awaitExit(Container c, UtilityVm vm, List<Thread> readers) {
        int code;
        String why = null;
        try {
            code = vm.agent().waitProcess(c.id, "", null).getExitCode();
        } catch (AgentException e) {
            code = 255;
            why = e.vmGone() ? "the container's VM stopped or died" : e.getMessage();
        }
        ProcessOutput.drain(readers, c.output);
        health.stopped(c); // before the exit is known, so a start that follows it begins a new monitor
        c.exited(code, why);
        // "die" as soon as the exit is known, as dockerd: a client that saw the container exited
        // (inspect, wait) finds the event, whatever the network's teardown in the VM takes after
        Map<String, String> died = new LinkedHashMap<>(attributes(c));
        died.put("exitCode", Integer.toString(code));
        events.publish("container", "die", c.id, died);
        endNetwork(c, vm);
        save(c);
        log.accept("container " + c.id.substring(0, 12) + " exited with " + code);
        if (c.spec.autoRemove()) {
            try {
                removeContainer(c.id, true, true); // --rm: its anonymous volumes go too
            } catch (EngineException e) {
                log.accept("auto-remove of " + c.id.substring(0, 12) + ": " + e.getMessage());
            }
        } else if (c.dedicated()) {
            // A dedicated VM lives as long as its container runs; a restart boots a new one.
            releaseVm(c);
        }
        boolean restart;
        synchronized (c) {
            restart = !c.spec.autoRemove() && RestartPolicies.afterExit(c.spec.restartOrNo(), code, c.restartCount,
                    c.manuallyStopped);
            if (restart) {
                Duration ran = c.startedAt == null ? Duration.ZERO : Duration.between(c.startedAt, c.finishedAt);
                c.restartDelay = RestartPolicies.nextDelay(c.restartDelay, ran);
            }
        }
        if (restart) {
            scheduleRestart(c, c.restartDelay, true);
        }
    }

    /** A user's stop or kill: its restart policy leaves it stopped (until the daemon restarts, for "always"). */
    private void stoppedByUser(Container c) {
        synchronized (c) {
            c.manuallyStopped = true;
        }
        save(c);
    }

    /**
     * Starts {@code c} again after {@code delay}, unless a user stopped or removed it meanwhile; {@code count} says
     * whether it is a policy restart (Docker's RestartCount) or a daemon start bringing it back.
     */
    private void scheduleRestart(Container c, Duration delay, boolean count) {
        log.accept("container " + c.id.substring(0, 12) + " restarts by its policy "
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
                    startContainer(c.id);
                }
            } catch (EngineException e) {
                log.accept("restart of " + c.id.substring(0, 12) + " failed: " + e.getMessage());
            }
        });
    }

    private void releaseVm(Container c) {
        UtilityVm vm = table.unplace(c.id);
        if (vm == null) {
            return;
        }
        if (vm.alive() && vm.mode() == UtilityVm.Mode.SHARED) {
            try {
                vm.agent().removeContainer(c.id, true);
            } catch (AgentException e) {
                log.accept("removing " + c.id.substring(0, 12) + " in its VM: " + e.getMessage());
            }
            for (String share : c.shares) {
                vm.unshare(share);
            }
        }
        c.shares.clear();
        placement.release(c.id);
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
            networking.detach(c.id, state, forwards, vm, log);
            clearNetwork(c);
        }
    }

    private static void clearNetwork(Container c) {
        synchronized (c) {
            c.network = Backend.NetworkState.idle(c.spec.networkOrDefault().mode());
            c.forwards = List.of();
            c.networkUp = false;
        }
    }

    private void save(Container c) {
        try {
            store.save(c);
        } catch (IOException e) {
            log.accept("cannot save the state of " + c.id.substring(0, 12) + ": " + e.getMessage());
        }
    }

    @Override
    public ContainerDetail inspectContainer(String ref) throws EngineException {
        Container c = table.find(ref);
        int restarts;
        synchronized (c) {
            restarts = c.restartCount;
        }
        return new ContainerDetail(c.summary(), c.spec, c.dir.resolve("container.log").toString(),
                List.copyOf(c.execs.keySet()), restarts);
    }

    @Override
    public List<ContainerSummary> listContainers(boolean all) {
        return table.all().stream().filter(c -> all || c.running())
                .sorted(Comparator.comparing((Container c) -> c.created).reversed()).map(Container::summary).toList();
    }

    @Override
    public CompletableFuture<Integer> waitContainer(String ref, WaitCondition condition) throws EngineException {
        Container c = table.find(ref);
        synchronized (c) {
            return switch (condition) {
                case NEXT_EXIT -> c.nextExit();
                case REMOVED -> c.removed;
                case NOT_RUNNING -> c.status.equals("running") || c.status.equals("starting")
                        ? c.nextExit() : CompletableFuture.completedFuture(c.exitCode);
            };
        }
    }

    @Override
    public void stopContainer(String ref, Integer timeoutSeconds, String signal) throws EngineException {
        Container c = table.find(ref);
        stoppedByUser(c); // also cancels a restart its policy has scheduled
        c.startLock.lock(); // a start in flight (a policy restart) ends first; then it is stopped like any other
        c.startLock.unlock();
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
            log.accept("container " + c.id.substring(0, 12) + " did not stop within " + timeout + " s: killing it");
            signal(c, 9);
            awaitQuietly(exit);
        } catch (Exception e) {
            awaitQuietly(exit);
        }
        endNetwork(c, table.vm(c.id));
        events.publish("container", "stop", c.id, attributes(c));
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

    @Override
    public void killContainer(String ref, String signal) throws EngineException {
        Container c = table.find(ref);
        if (!c.running()) {
            throw EngineException.conflict("Cannot kill container: " + ref + ": Container " + c.id + " is not running");
        }
        stoppedByUser(c);
        Map<String, String> killed = new LinkedHashMap<>(attributes(c));
        killed.put("signal", Integer.toString(Signals.parse(signal == null || signal.isEmpty() ? "SIGKILL" : signal)));
        events.publish("container", "kill", c.id, killed);
        signal(c, Signals.parse(signal == null || signal.isEmpty() ? "SIGKILL" : signal));
    }

    @Override
    public void renameContainer(String ref, String newName) throws EngineException {
        Container c = table.find(ref);
        table.rename(c, newName, oldName -> {
            Map<String, String> attrs = new LinkedHashMap<>(attributes(c));
            attrs.put("oldName", "/" + oldName);
            events.publish("container", "rename", c.id, attrs);
        });
        save(c);
    }

    @Override
    public void removeContainer(String ref, boolean force, boolean volumes) throws EngineException {
        Container c = table.find(ref);
        // A start in flight ends first, and none begins during the removal: a forced remove must not
        // release the VM under a start (issue 19). Safe from deadlock: start never waits for a remove,
        // and the exit that a forced remove awaits is completed before --rm's own remove is called.
        c.startLock.lock();
        try {
            remove(c, force, volumes);
        } finally {
            c.startLock.unlock();
        }
    }

    private void remove(Container c, boolean force, boolean volumes) throws EngineException {
        synchronized (c) {
            if (c.status.equals("removing")) {
                return;
            }
            if (!force) {
                ProcessApi.checkNotPaused(c, "remove");
            }
            if ((c.status.equals("running") || c.status.equals("starting")) && !force) {
                throw EngineException.conflict("You cannot remove a running container " + c.id
                        + ". Stop the container before attempting removal or force remove");
            }
        }
        if (c.running()) {
            CompletableFuture<Integer> exit = c.nextExit();
            try {
                signal(c, 9);
            } catch (EngineException e) {
                log.accept("kill before remove: " + e.getMessage());
            }
            awaitQuietly(exit);
        }
        endNetwork(c, table.vm(c.id));
        synchronized (c) {
            if (c.status.equals("removing")) {
                return;
            }
            c.status = "removing";
        }
        releaseVm(c);
        placement.discard(c.id);
        table.remove(c.id);
        execApi.forget(c.id);
        c.output.end(); // attached clients see the end
        c.output.close();
        try {
            store.delete(c.id);
        } catch (IOException e) {
            log.accept("cannot delete " + c.dir + ": " + e.getMessage());
        }
        if (volumes) {
            volumeApi.removeAnonymous(c.spec.binds());
        }
        events.publish("container", "destroy", c.id, attributes(c));
        c.removed.complete(c.exitCode);
    }

    @Override
    public void updateContainer(String ref, ContainerUpdate update) throws EngineException {
        Container c = table.find(ref);
        c.update(update);
        save(c);
        events.publish("container", "update", c.id, attributes(c));
    }

    @Override
    public void resizeContainer(String ref, int height, int width) throws EngineException {
        Container c = table.find(ref);
        UtilityVm vm = table.vm(c.id);
        if (vm == null || !c.spec.tty() || height <= 0 || width <= 0) {
            return; // docker resizes before start too; nothing to do then
        }
        try {
            vm.agent().resizeTty(c.id, "", height, width);
        } catch (AgentException e) {
            // the process may have exited between the check and the call
        }
    }

    // ---------------------------------------------------------------- top, stats, pause (see ProcessApi)

    @Override
    public ProcessList top(String ref) throws EngineException {
        return processApi.top(table.find(ref));
    }

    @Override
    public dev.skiff.engine.api.StatsSample stats(String ref) throws EngineException {
        return processApi.stats(table.find(ref));
    }

    @Override
    public void pauseContainer(String ref) throws EngineException {
        Container c = table.find(ref);
        processApi.pause(c);
        health.stopped(c); // no probes into frozen processes, as dockerd's updateHealthMonitor
    }

    @Override
    public void unpauseContainer(String ref) throws EngineException {
        Container c = table.find(ref);
        processApi.unpause(c);
        health.started(c);
    }

    // ---------------------------------------------------------------- events

    @Override
    public Events events() {
        return events;
    }

    /** A container event's attributes, as dockerd gives them: name, image, and the container's labels. */
    static Map<String, String> attributes(Container c) {
        Map<String, String> a = new LinkedHashMap<>(c.spec.labels());
        a.put("name", c.name);
        a.put("image", c.imageRef);
        return a;
    }

    // ---------------------------------------------------------------- volumes (see VolumeApi)

    @Override
    public List<VolumeInfo> volumes() {
        return volumeApi.volumes();
    }

    @Override
    public VolumeInfo inspectVolume(String name) throws EngineException {
        return volumeApi.inspect(name);
    }

    @Override
    public VolumeInfo createVolume(String name, String driver, Map<String, String> labels,
                                   Map<String, String> options) throws EngineException {
        VolumeInfo v = volumeApi.create(name, driver, labels, options);
        events.publish("volume", "create", v.name(), Map.of("driver", "local"));
        return v;
    }

    @Override
    public void removeVolume(String name, boolean force) throws EngineException {
        volumeApi.remove(name, force);
        events.publish("volume", "destroy", name, Map.of("driver", "local"));
    }

    @Override
    public List<String> pruneVolumes(List<String> labels, boolean all) throws EngineException {
        return volumeApi.prune(labels, all);
    }

    // ---------------------------------------------------------------- docker cp (see Archives)

    @Override
    public PathStat statPath(String ref, String path) throws EngineException {
        return archives.stat(ref, path);
    }

    @Override
    public ArchiveRead readArchive(String ref, String path) throws EngineException {
        return archives.read(ref, path);
    }

    @Override
    public void extractArchive(String ref, String path, boolean noOverwriteDirNonDir, boolean copyUidGid,
            InputStream tar) throws EngineException, IOException {
        archives.extract(ref, path, noOverwriteDirNonDir, copyUidGid, tar);
    }

    // ---------------------------------------------------------------- networks (see NetworkApi)

    @Override
    public List<NetworkInfo> networks() {
        return networkApi.networks();
    }

    @Override
    public NetworkInfo inspectNetwork(String ref) throws EngineException {
        return networkApi.inspectNetwork(ref);
    }

    @Override
    public String createNetwork(NetworkCreate request) throws EngineException {
        String id = networkApi.createNetwork(request);
        events.publish("network", "create", id, Map.of("name", request.name(), "type", "bridge"));
        return id;
    }

    @Override
    public void removeNetwork(String ref) throws EngineException {
        String id = networkApi.inspectNetwork(ref).id();
        networkApi.removeNetwork(ref);
        events.publish("network", "destroy", id, Map.of("name", ref, "type", "bridge"));
    }

    @Override
    public List<String> pruneNetworks(Map<String, List<String>> filters) throws EngineException {
        return networkApi.pruneNetworks(filters);
    }

    @Override
    public void connectNetwork(String network, String ref, EndpointRequest endpoint) throws EngineException {
        networkApi.connectNetwork(network, ref, endpoint);
        networkEvent("connect", network, ref);
    }

    /** dockerd's network connect and disconnect events: the network is the actor, the container an attribute. */
    private void networkEvent(String action, String network, String ref) throws EngineException {
        NetworkInfo n = networkApi.inspectNetwork(network);
        events.publish("network", action, n.id(), Map.of("name", n.name(), "type", "bridge",
                "container", table.find(ref).id));
    }

    @Override
    public void disconnectNetwork(String network, String ref, boolean force) throws EngineException {
        networkApi.disconnectNetwork(network, ref, force);
        networkEvent("disconnect", network, ref);
    }

    // ---------------------------------------------------------------- exec (see ExecApi)

    @Override
    public String createExec(String ref, ExecSpec spec) throws EngineException {
        return execApi.create(table.find(ref), spec);
    }

    @Override
    public Attachment startExec(String execId, boolean detach, boolean tty) throws EngineException {
        return execApi.start(execId, detach);
    }

    @Override
    public ExecDetail inspectExec(String execId) throws EngineException {
        return execApi.inspect(execId);
    }

    @Override
    public void resizeExec(String execId, int height, int width) throws EngineException {
        execApi.resize(execId, height, width);
    }

    // ---------------------------------------------------------------- I/O

    @Override
    public Attachment attach(String ref, boolean stdin, boolean stdout, boolean stderr, boolean logs, boolean stream)
            throws EngineException {
        Container c = table.find(ref);
        BlockingQueue<Frame> q;
        try {
            synchronized (c) {
                boolean before = c.status.equals("created") || c.status.equals("exited");
                q = stream && before && !logs ? c.output.subscribeNextRun() : c.output.subscribe(logs ? -1 : -2, stream);
            }
        } catch (IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "cannot read the log: " + e.getMessage(), e);
        }
        OutputStream in = stdin && c.spec.openStdin() ? c.stdin.clientSide() : null;
        return new HubAttachment(c.output, q, c.spec.tty(), in, stdout, stderr);
    }

    @Override
    public void logs(String ref, LogOptions options, FrameSink sink) throws EngineException, IOException {
        Container c = table.find(ref);
        int tail = options.tail() == null || options.tail().equals("all") || options.tail().isEmpty() ? -1
                : parseTail(options.tail());
        BlockingQueue<Frame> q = c.output.subscribe(tail, options.follow());
        new HubAttachment(c.output, q, c.spec.tty(), null, options.stdout(), options.stderr())
                .pump(sink, options.since(), options.until(), options.timestamps());
    }

    private static int parseTail(String tail) throws EngineException {
        try {
            return Math.max(0, Integer.parseInt(tail));
        } catch (NumberFormatException e) {
            throw EngineException.invalid("invalid value for \"tail\": " + tail);
        }
    }

    @Override
    public boolean hasTty(String ref) throws EngineException {
        return table.find(ref).spec.tty();
    }

    /**
     * The DNS answer of a user network: the addresses of its running containers known there by
     * {@code name} (their name, an alias or their short id), case-insensitively.
     */
    private List<String> addressesOn(String networkId, String name) {
        List<String> out = new ArrayList<>();
        for (Container c : table.all()) {
            for (Backend.EndpointInfo e : c.endpointsOn(networkId)) {
                if (e.dnsNames().stream().anyMatch(n -> n.equalsIgnoreCase(name))) {
                    out.add(e.ipAddress());
                }
            }
        }
        return out;
    }

    /** Stops the engine's own threads; VMs and containers keep running (live restore). */
    @Override
    public void close() {
        fabric.close();
        placement.close();
        relay.close();
        bindMounts.close();
    }

    /** Stops every container's VM: for `skiff daemon --stop-vms` and tests. */
    public void stopAllVms() {
        placement.stopAll();
    }
}
