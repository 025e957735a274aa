package dev.skiff.engine;

import dev.skiff.agent.api.SkiffVersion;
import dev.skiff.agent.client.AgentException;
import dev.skiff.engine.api.Backend;
import dev.skiff.engine.api.EngineException;
import dev.skiff.engine.api.Events;
import dev.skiff.engine.api.Progress;
import dev.skiff.engine.container.Archives;
import dev.skiff.engine.container.Container;
import dev.skiff.engine.container.Status;
import dev.skiff.engine.container.ContainerConfig;
import dev.skiff.engine.container.ContainerStore;
import dev.skiff.engine.container.ContainerTable;
import dev.skiff.engine.container.HealthMonitor;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The engine: containers on utility VMs, images from the store, bind mounts over 9P. Implements
 * the Docker API's {@link Backend}. Container state is persisted at every change; VMs and their
 * containers outlive the daemon.
 */
public final class Engine implements Backend, AutoCloseable {
    private static final Logger LOG = System.getLogger(Engine.class.getName());

    private final ImageStore images;
    private final ImageApi imageApi;
    private final ContainerStore store;
    private final Placement placement;
    private final Path dataRoot;
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
    private final Lifecycle lifecycle;

    /**
     * @param apiSocket the daemon's API socket, which containers reach through a bind of it or of
     *     /var/run/docker.sock
     */
    public Engine(Path dataRoot, ImageStore images, RegistryClient registries, Placement placement, Path apiSocket)
            throws IOException {
        this.dataRoot = dataRoot;
        this.relay = new SocketRelay(dataRoot.resolve("socket-relay.json"));
        this.bindMounts = new BindMounts(relay, apiSocket);
        this.images = images;
        this.store = new ContainerStore(dataRoot.resolve("containers"));
        this.table = new ContainerTable(store.loadAll());
        this.imageApi = new ImageApi(images, registries, table, events, placement);
        this.placement = placement;
        this.fabric = new SwitchFabric(table::addressesOn);
        this.networking = new Networking(new NetworkRegistry(dataRoot), fabric);
        this.execApi = new ExecApi(table, this::accounts);
        this.processApi = new ProcessApi(table, events, this::save);
        this.volumeApi = new VolumeApi(new VolumeStore(dataRoot.resolve("volumes")), images, table);
        this.networkApi = new NetworkApi(networking, table, this::save);
        this.archives = new Archives(table, placement, images);
        this.health = new HealthMonitor(execApi::probe, HealthMonitor.virtualThreads(), java.time.Clock.systemUTC(),
                (c, h) -> {
                    save(c);
                    events.publish("container", "health_status: " + h.status(), c.id, attributes(c));
                });
        this.lifecycle = new Lifecycle(table, store, this::save, placement, images, bindMounts, networking, health,
                events, processApi, execApi, volumeApi);
        // docker pull then docker run: each pulled layer goes into the running shared VM as soon as
        // it is ready, while the rest download, instead of all of them at the run's start
        images.onLayerReady(placement::preloadLayer);
        placement.warmPooledWith(new PoolWarmup(images, networking, table::newId)::warm);
    }

    /**
     * Live restore: finds the VMs an earlier daemon left running, reconnects to their agents and
     * picks up the containers still running there (their output and exits). A container whose VM
     * is gone is marked exited. Bind mounts of restored containers stay as they were in the guest,
     * but their 9P sessions died with the old daemon (see the closing notes of the engine issue).
     */
    public void restore(dev.skiff.vm.VmDriver driver) {
        new LiveRestore(table, lifecycle, networking, placement, health, bindMounts, this::save).restore(driver);
        placement.fillPool(); // after restore, which stops the VMs an earlier daemon left waiting in its pool
    }

    // ---------------------------------------------------------------- system

    @Override
    public VersionInfo version() {
        return new VersionInfo(SkiffVersion.VERSION, dev.skiff.engine.api.ApiVersions.CURRENT,
                dev.skiff.engine.api.ApiVersions.MINIMUM, "linux", "amd64", System.getProperty("os.version"));
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
            vms.add(new VmInfo(vm.name(), vm.mode() == UtilityVm.Mode.SHARED ? "shared"
                    : placement.pooled(vm) ? "pooled" : "dedicated", vm.bootId(),
                    vm.vm().pid(), List.copyOf(vm.containers())));
        }
        return new SystemInfo(table.size(), running, paused, stopped, images.list().size(), "skiff",
                Runtime.getRuntime().maxMemory(), Runtime.getRuntime().availableProcessors(), dataRoot.toString(), vms);
    }

    // ---------------------------------------------------------------- images (see ImageApi)

    @Override
    public List<ImageSummary> images() {
        return imageApi.images();
    }

    @Override
    public ImageDetail inspectImage(String ref) throws EngineException {
        return imageApi.inspect(ref);
    }

    @Override
    public List<String> loadImages(InputStream archive, Consumer<String> progress) throws EngineException, IOException {
        return imageApi.load(archive, progress);
    }

    @Override
    public String importImage(InputStream rootfsTar, String repo, String tag, Map<String, String> changes,
            Consumer<String> progress) throws EngineException, IOException {
        return imageApi.importRootfs(rootfsTar, repo, tag, changes, progress);
    }

    @Override
    public String pullImage(String ref, String platform, String registryAuth, Progress progress)
            throws EngineException, IOException {
        return imageApi.pull(ref, platform, registryAuth, progress);
    }

    @Override
    public void pushImage(String name, String tag, String registryAuth, Progress progress)
            throws EngineException, IOException {
        imageApi.push(name, tag, registryAuth, progress);
    }

    @Override
    public void saveImages(List<String> names, OutputStream out) throws EngineException, IOException {
        images.save(names, out);
    }

    @Override
    public String login(Credentials credentials) throws EngineException {
        return imageApi.login(credentials);
    }

    @Override
    public void tagImage(String ref, String repo, String tag) throws EngineException {
        imageApi.tag(ref, repo, tag);
    }

    @Override
    public List<Map<String, String>> removeImage(String ref, boolean force) throws EngineException {
        return imageApi.remove(ref, force);
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
        ContainerConfig config = ContainerConfig.resolve(spec, ic, () -> accounts(image.id()));
        // An image's VOLUME where the container mounts a tmpfs gets no volume: the tmpfs is mounted there (as moby)
        Map<String, String> tmpfs = spec.hostOptionsOrDefault().tmpfs();
        List<String> imageVolumes = ic.volumes().stream().filter(v -> !tmpfs.containsKey(v)).toList();
        CreateSpec stored = config.spec().withBinds(volumeApi.bind(config.spec().binds(), imageVolumes, image.id()));
        try {
            Container c = table.register(name, (id, finalName) -> {
                String hostname = ContainerConfig.nonEmpty(stored.hostname(), id.substring(0, 12));
                Container made = new Container(id, finalName, Instant.now(), stored.image(), image.id(), image.diffIds(),
                        stored, config.args(), config.env(), config.cwd(), config.uid(), config.gid(), hostname,
                        store.dir(id));
                made.groups = config.groups();
                try {
                    store.create(made);
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

    private void save(Container c) {
        try {
            store.save(c);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot save the state of " + c.id.substring(0, 12) + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- runs (see Lifecycle)

    @Override
    public void startContainer(String ref) throws EngineException {
        lifecycle.startByUser(table.find(ref));
    }

    @Override
    public void stopContainer(String ref, Integer timeoutSeconds, String signal) throws EngineException {
        lifecycle.stop(table.find(ref), timeoutSeconds, signal);
    }

    @Override
    public void killContainer(String ref, String signal) throws EngineException {
        lifecycle.kill(table.find(ref), ref, signal);
    }

    @Override
    public void removeContainer(String ref, boolean force, boolean volumes) throws EngineException {
        lifecycle.remove(table.find(ref), force, volumes);
    }

    @Override
    public ContainerDetail inspectContainer(String ref) throws EngineException {
        Container c = table.find(ref);
        int restarts;
        List<String> transports = new java.util.ArrayList<>();
        synchronized (c) {
            restarts = c.restartCount;
            if (c.running()) {
                for (String storage : c.shares) {
                    transports.add(dev.skiff.engine.placement.UtilityVm.bindTransport(storage));
                }
            }
        }
        // Config.Env as dockerd shows it: the image's env with the request's merged over it
        return new ContainerDetail(c.summary(), c.spec.withEnv(c.env), c.dir.resolve("container.log").toString(),
                List.copyOf(c.execs.keySet()), restarts, transports);
    }

    @Override
    public List<ContainerSummary> listContainers(boolean all) {
        return table.all().stream().filter(c -> all || c.running() || c.restarting())
                .sorted(Comparator.comparing((Container c) -> c.created).reversed()).map(Container::summary).toList();
    }

    @Override
    public CompletableFuture<Integer> waitContainer(String ref, WaitCondition condition) throws EngineException {
        Container c = table.find(ref);
        synchronized (c) {
            return switch (condition) {
                case NEXT_EXIT -> c.nextExit();
                case REMOVED -> c.removed;
                // restarting: the next run's exit, or the last one's code if the restart is given up
                case NOT_RUNNING -> c.status == Status.RUNNING || c.status == Status.RESTARTING || c.starting
                        ? c.nextExit() : CompletableFuture.completedFuture(c.exitCode);
            };
        }
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
        return OutputApi.attach(table.find(ref), stdin, stdout, stderr, logs, stream);
    }

    @Override
    public Attachment logs(String ref, LogOptions options) throws EngineException, IOException {
        return OutputApi.logs(table.find(ref), options);
    }

    /** How many clients follow a container's live output now: one that went must not stay counted (for tests). */
    public int outputSubscribers(String ref) throws EngineException {
        return table.find(ref).output.subscriberCount();
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

    /** An image's /etc/passwd and /etc/group, for a user given by name. */
    private dev.skiff.engine.container.Accounts accounts(String imageId) throws EngineException {
        try {
            return images.accounts(imageId);
        } catch (java.io.IOException e) {
            throw new EngineException(EngineException.Kind.INTERNAL, "cannot read the image's /etc/passwd and /etc/group: "
                    + e.getMessage(), e);
        }
    }
}
