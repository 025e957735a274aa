package dev.skiff.engine.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What the Docker Engine API needs from the engine. The HTTP layer ({@link ApiServer}) maps
 * Docker's JSON to these records and back; the engine implements this interface. Everything here
 * is in the engine's terms, so the HTTP layer holds no state of its own.
 */
public interface Backend {
    // ---- system

    /** For GET /version and /info. */
    record VersionInfo(String version, String apiVersion, String minApiVersion, String os, String arch,
                       String kernelVersion) {}

    /** A utility VM and what runs in it, for /info and `skiff info`. */
    record VmInfo(String name, String mode /* "shared", "dedicated" or "pooled" (waiting in the pool) */, String bootId, long pid,
                  List<String> containerIds) {}

    record SystemInfo(int containers, int running, int paused, int stopped, int images, String name,
                      long memTotal, int cpus, String dataRoot, List<VmInfo> vms) {}

    VersionInfo version();

    SystemInfo info();

    // ---- images

    /** An image as the API reports it. {@code id} is "sha256:<hex>" of its config. */
    record ImageSummary(String id, List<String> repoTags, List<String> repoDigests, Instant created, long size,
                        Map<String, String> labels) {}

    /** The container defaults an image carries (its OCI config). */
    record ImageConfig(List<String> env, List<String> entrypoint, List<String> cmd, String workingDir, String user,
                       Map<String, String> labels, List<String> exposedPorts, List<String> volumes /* VOLUME */,
                       Healthcheck healthcheck /* HEALTHCHECK; null = none */) {
        public ImageConfig(List<String> env, List<String> entrypoint, List<String> cmd, String workingDir, String user,
                           Map<String, String> labels, List<String> exposedPorts) {
            this(env, entrypoint, cmd, workingDir, user, labels, exposedPorts, List.of(), null);
        }
    }

    record ImageDetail(ImageSummary summary, String os, String architecture, ImageConfig config,
                       List<String> diffIds) {}

    List<ImageSummary> images();

    ImageDetail inspectImage(String ref) throws EngineException;

    /**
     * docker load: a docker-save or OCI image archive. Progress lines go to {@code progress}.
     *
     * @return the names loaded ("busybox:latest", or "sha256:..." for an untagged image)
     */
    List<String> loadImages(InputStream archive, Consumer<String> progress) throws EngineException, IOException;

    /** docker import (POST /images/create?fromSrc=-): a rootfs tar becomes a one-layer image. */
    String importImage(InputStream rootfsTar, String repo, String tag, Map<String, String> changes,
                       Consumer<String> progress) throws EngineException, IOException;

    /**
     * docker pull (POST /images/create?fromImage=): progress goes to {@code progress}, errors after the first
     * message into the stream.
     *
     * @param platform     "os/arch[/variant]", or null for the host's
     * @param registryAuth the CLI's X-Registry-Auth header, or null
     * @return the image id
     */
    String pullImage(String ref, String platform, String registryAuth, Progress progress)
            throws EngineException, IOException;

    /**
     * docker push (POST /images/{name}/push?tag=): progress and the final digest line go to {@code progress}.
     *
     * @param tag          the tag to push; "latest" when empty
     * @param registryAuth the CLI's X-Registry-Auth header, or null
     */
    void pushImage(String name, String tag, String registryAuth, Progress progress) throws EngineException, IOException;

    /**
     * docker save: a docker-save archive of the images {@code names} name. Every name is resolved before the first
     * byte goes to {@code out}, so a missing image is a plain error, not a truncated archive.
     */
    void saveImages(List<String> names, OutputStream out) throws EngineException, IOException;

    /**
     * docker login (POST /auth): checks the credentials against the registry.
     *
     * @return an identity token for the CLI to store instead of the password, or null
     */
    String login(dev.skiff.registry.Credentials credentials) throws EngineException;

    /** docker tag: {@code repo[:tag]} (tag "latest" when empty) now names the image {@code ref} names. */
    void tagImage(String ref, String repo, String tag) throws EngineException;

    /** docker rmi: the "Untagged"/"Deleted" lines, in order, as {"Untagged": x} or {"Deleted": x}. */
    List<Map<String, String>> removeImage(String ref, boolean force) throws EngineException;

    // ---- containers

    /**
     * A mount from the host: a bind (-v HOST:CTR[:ro], --mount type=bind), or a volume (-v NAME:CTR,
     * --mount type=volume, an image's VOLUME), which the engine turns into a bind of the volume's folder.
     *
     * @param volume null for a bind; the volume's name; "" for an anonymous volume not yet made
     * @param noCopy a volume that is not filled from the image (volume-nocopy)
     */
    record BindMount(String hostPath, String containerPath, boolean readOnly, boolean createHostPath, String volume,
                     boolean noCopy) {
        public BindMount(String hostPath, String containerPath, boolean readOnly, boolean createHostPath) {
            this(hostPath, containerPath, readOnly, createHostPath, null, false);
        }

        public static BindMount volume(String name, String containerPath, boolean readOnly, boolean noCopy) {
            return new BindMount(null, containerPath, readOnly, false, name == null ? "" : name, noCopy);
        }

        public boolean isVolume() {
            return volume != null;
        }

        /** This volume mount, now bound to the folder of volume {@code name}. */
        public BindMount boundTo(String name, String folder) {
            return new BindMount(folder, containerPath, readOnly, false, name, noCopy);
        }
    }

    /** What docker create asks for, after the API layer has parsed it. Lists are never null. */
    record CreateSpec(String image, List<String> cmd, List<String> entrypoint /* null = image's */, List<String> env,
                      String workingDir, String user, String hostname, boolean tty, boolean openStdin,
                      boolean stdinOnce, Map<String, String> labels, List<BindMount> binds, boolean autoRemove,
                      String isolation /* "" or "default" = shared VM, "hyperv" = dedicated */, String stopSignal,
                      Integer stopTimeout, NetworkSpec network /* null (a record from before networks) = default */,
                      RestartPolicy restartPolicy /* null (a record from before policies) = no */,
                      Healthcheck healthcheck /* the request's, then merged with the image's; null = none */,
                      HostOptions hostOptions /* null (a record from before these) = Docker's defaults */) {
        /** A spec with Docker's defaults for everything {@link HostOptions} holds. */
        public CreateSpec(String image, List<String> cmd, List<String> entrypoint, List<String> env, String workingDir,
                          String user, String hostname, boolean tty, boolean openStdin, boolean stdinOnce,
                          Map<String, String> labels, List<BindMount> binds, boolean autoRemove, String isolation,
                          String stopSignal, Integer stopTimeout, NetworkSpec network, RestartPolicy restartPolicy,
                          Healthcheck healthcheck) {
            this(image, cmd, entrypoint, env, workingDir, user, hostname, tty, openStdin, stdinOnce, labels, binds,
                    autoRemove, isolation, stopSignal, stopTimeout, network, restartPolicy, healthcheck, null);
        }

        /** The runtime options, never null. */
        public HostOptions hostOptionsOrDefault() {
            return hostOptions == null ? HostOptions.DEFAULT : hostOptions;
        }

        public CreateSpec withNetwork(NetworkSpec n) {
            return new CreateSpec(image, cmd, entrypoint, env, workingDir, user, hostname, tty, openStdin, stdinOnce,
                    labels, binds, autoRemove, isolation, stopSignal, stopTimeout, n, restartPolicy, healthcheck, hostOptions);
        }

        public CreateSpec withBinds(List<BindMount> b) {
            return new CreateSpec(image, cmd, entrypoint, env, workingDir, user, hostname, tty, openStdin, stdinOnce,
                    labels, List.copyOf(b), autoRemove, isolation, stopSignal, stopTimeout, network, restartPolicy,
                    healthcheck, hostOptions);
        }

        /** docker update --restart. */
        public CreateSpec withRestartPolicy(RestartPolicy p) {
            return new CreateSpec(image, cmd, entrypoint, env, workingDir, user, hostname, tty, openStdin, stdinOnce,
                    labels, binds, autoRemove, isolation, stopSignal, stopTimeout, network, p, healthcheck, hostOptions);
        }

        /** The request's health check merged with the image's (see {@link Healthcheck#merge}). */
        /** The same request with {@code e} as its env: inspect shows the env the container got, the image's merged in. */
        public CreateSpec withEnv(List<String> e) {
            return new CreateSpec(image, cmd, entrypoint, List.copyOf(e), workingDir, user, hostname, tty, openStdin,
                    stdinOnce, labels, binds, autoRemove, isolation, stopSignal, stopTimeout, network, restartPolicy,
                    healthcheck, hostOptions);
        }

        public CreateSpec withHealthcheck(Healthcheck h) {
            return new CreateSpec(image, cmd, entrypoint, env, workingDir, user, hostname, tty, openStdin, stdinOnce,
                    labels, binds, autoRemove, isolation, stopSignal, stopTimeout, network, restartPolicy, h, hostOptions);
        }

        /** The restart policy, never null. */
        public RestartPolicy restartOrNo() {
            return restartPolicy == null ? RestartPolicy.NO : restartPolicy;
        }

        /** The network part, never null. */
        public NetworkSpec networkOrDefault() {
            return network == null ? NetworkSpec.DEFAULT : network;
        }
    }

    /**
     * HostConfig.RestartPolicy: "no", "always", "unless-stopped", or "on-failure" with at most
     * {@code maximumRetryCount} restarts (0 = no limit).
     */
    record RestartPolicy(String name, int maximumRetryCount) {
        public static final RestartPolicy NO = new RestartPolicy("no", 0);
    }

    /** One host side of a published port, as HostConfig.PortBindings has it ("" = any address / a free port). */
    record PortBinding(String hostIp, String hostPort) {}

    /**
     * The network a container asks for: HostConfig.NetworkMode ("bridge", "none", "host" or a
     * user network's name or id; "" and "default" mean "bridge"), PortBindings keyed by
     * "PORT/PROTO", ExposedPorts (the request's and the image's), PublishAllPorts (-P),
     * ExtraHosts ("NAME:IP", IP may be "host-gateway"), and per network the endpoint settings of
     * NetworkingConfig.EndpointsConfig (aliases, a fixed address); networks named there besides
     * the mode's are joined too.
     */
    record NetworkSpec(String mode, Map<String, List<PortBinding>> portBindings, List<String> exposedPorts,
                       boolean publishAll, List<String> extraHosts, Map<String, EndpointRequest> endpoints) {
        public static final NetworkSpec DEFAULT = new NetworkSpec("bridge", Map.of(), List.of(), false, List.of(), Map.of());

        public NetworkSpec {
            endpoints = endpoints == null ? Map.of() : Map.copyOf(endpoints);
        }

        public NetworkSpec withMode(String m) {
            return new NetworkSpec(m, portBindings, exposedPorts, publishAll, extraHosts, endpoints);
        }

        public NetworkSpec withEndpoints(Map<String, EndpointRequest> e) {
            return new NetworkSpec(mode, portBindings, exposedPorts, publishAll, extraHosts, e);
        }
    }

    /** A container's settings on one network: --network-alias names and --ip. */
    record EndpointRequest(List<String> aliases, String ipv4Address) {
        public static final EndpointRequest NONE = new EndpointRequest(List.of(), "");

        public EndpointRequest {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
            ipv4Address = ipv4Address == null ? "" : ipv4Address;
        }
    }

    /** A port as published: "80/tcp" on the host's hostIp:hostPort. */
    record PublishedPort(String containerPort, String hostIp, int hostPort) {}

    /** The container's place on one network while it runs. */
    record EndpointInfo(String network, String networkId, String endpointId, String ipAddress, int prefixLength,
                        String gateway, String macAddress, List<String> aliases, List<String> dnsNames,
                        String ifname /* in the container: "eth0"...; "" in records from before it was kept */) {
        public EndpointInfo {
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
            dnsNames = dnsNames == null ? List.of() : List.copyOf(dnsNames);
            ifname = ifname == null ? "" : ifname;
        }
    }

    /** What a container's network is now: empty lists while it does not run. */
    record NetworkState(String mode, List<EndpointInfo> endpoints, List<PublishedPort> ports, String sandboxKey) {
        public static NetworkState idle(String mode) {
            return new NetworkState(mode, List.of(), List.of(), "");
        }
    }

    record ContainerState(String status /* created, running, exited, removing, dead */, boolean running,
                          int pid, int exitCode, String error, Instant startedAt, Instant finishedAt,
                          Health health /* null: its health check never ran */) {
        public ContainerState(String status, boolean running, int pid, int exitCode, String error, Instant startedAt,
                              Instant finishedAt) {
            this(status, running, pid, exitCode, error, startedAt, finishedAt, null);
        }
    }

    record ContainerSummary(String id, List<String> names, String image, String imageId, String command,
                            Instant created, ContainerState state, Map<String, String> labels, String vm,
                            NetworkState network, boolean dedicated /* --isolation=hyperv: a VM of its own */) {}

    /**
     * @param bindTransports while it runs, how each of its binds (in the spec's order) reaches its VM:
     *        "9p", "virtiofs" or "socket"; empty when it does not run
     */
    record ContainerDetail(ContainerSummary summary, CreateSpec spec, String logPath, List<String> execIds,
                           int restartCount /* restarts by its restart policy */, List<String> bindTransports) {
        public ContainerDetail(ContainerSummary summary, CreateSpec spec, String logPath, List<String> execIds,
                               int restartCount) {
            this(summary, spec, logPath, execIds, restartCount, List.of());
        }
    }

    String createContainer(String name /* may be null */, CreateSpec spec) throws EngineException;

    void startContainer(String id) throws EngineException;

    ContainerDetail inspectContainer(String id) throws EngineException;

    List<ContainerSummary> listContainers(boolean all);

    enum WaitCondition { NOT_RUNNING, NEXT_EXIT, REMOVED }

    /** Completes with the exit code once the condition holds (registered before this returns). */
    CompletableFuture<Integer> waitContainer(String id, WaitCondition condition) throws EngineException;

    /** Signal (the container's stop signal if null), then after the timeout SIGKILL. */
    void stopContainer(String id, Integer timeoutSeconds, String signal) throws EngineException;

    void killContainer(String id, String signal) throws EngineException;

    /** docker rename: a free name, checked as a create's name is; the container keeps its id and state. */
    void renameContainer(String id, String newName) throws EngineException;

    /** docker rm [-f] [-v]: {@code volumes} also removes the container's anonymous volumes, as docker rm -v does. */
    void removeContainer(String id, boolean force, boolean volumes) throws EngineException;

    default void removeContainer(String id, boolean force) throws EngineException {
        removeContainer(id, force, false);
    }

    void resizeContainer(String id, int height, int width) throws EngineException;

    /**
     * docker update (POST /containers/{id}/update): {@code restartPolicy} null leaves it as it is; {@code resources}
     * names the resource limits the request sets, which Skiff refuses as it does not apply them yet.
     */
    record ContainerUpdate(RestartPolicy restartPolicy, List<String> resources) {}

    void updateContainer(String id, ContainerUpdate update) throws EngineException;

    // ---- processes: top, stats, pause (see ProcessRoutes)

    /** docker top: ps's column titles and one row of columns per process. */
    record ProcessList(List<String> titles, List<List<String>> processes) {}

    /** docker top with ps -ef's columns; CONFLICT "Container ID is not running" unless it runs. */
    ProcessList top(String id) throws EngineException;

    /** One sample of docker stats now; {@link StatsSample#stopped} for a container that does not run. */
    StatsSample stats(String id) throws EngineException;

    /** docker pause: freezes its processes (CONFLICT unless running and not paused, in Docker's words). */
    void pauseContainer(String id) throws EngineException;

    /** docker unpause (CONFLICT "Container ID is not paused" unless paused). */
    void unpauseContainer(String id) throws EngineException;

    /** The daemon's event log (docker events). */
    Events events();

    // ---- volumes

    /**
     * A volume as the API reports it.
     *
     * @param users ids of the containers that mount it
     */
    record VolumeInfo(String name, String mountpoint, Instant created, Map<String, String> labels,
                      List<String> users) {}

    List<VolumeInfo> volumes();

    VolumeInfo inspectVolume(String name) throws EngineException;

    VolumeInfo createVolume(String name, String driver, Map<String, String> labels, Map<String, String> options)
            throws EngineException;

    void removeVolume(String name, boolean force) throws EngineException;

    /**
     * docker volume prune: unused volumes matching {@code labels} (label filters); only anonymous ones unless
     * {@code all}, as Docker 23 and later prune.
     *
     * @return the names removed
     */
    List<String> pruneVolumes(List<String> labels, boolean all) throws EngineException;

    // ---- docker cp (/containers/{id}/archive)

    /** moby's container.PathStat: {@code mode} is Go's os.FileMode bits (see agent-api GoFileMode). */
    record PathStat(String name, long size, int mode, Instant mtime, String linkTarget) {}

    /** A tar of a path being read: its stat at once, its bytes on {@link #transferTo}. */
    interface ArchiveRead extends AutoCloseable {
        PathStat stat();

        /** Copies the tar into {@code out}. */
        void transferTo(OutputStream out) throws IOException;

        @Override
        void close();
    }

    /** HEAD: the stat of a path in a container; 404 "Could not find the file" when it does not exist. */
    PathStat statPath(String id, String path) throws EngineException;

    /** GET: starts a tar of a path in a container. */
    ArchiveRead readArchive(String id, String path) throws EngineException;

    /** PUT: extracts a tar into a directory of a container. */
    void extractArchive(String id, String path, boolean noOverwriteDirNonDir, boolean copyUidGid, InputStream tar)
            throws EngineException, IOException;

    // ---- networks

    /** A container on a network, as network inspect lists it. */
    record NetworkMember(String name, String endpointId, String macAddress, String ipv4Cidr) {}

    /** A network as the API reports it. Built-in ones (bridge, host, none) have {@code builtin}. */
    record NetworkInfo(String id, String name, String driver, String subnet, String gateway, Instant created,
                       boolean internal, boolean attachable, Map<String, String> labels, Map<String, String> options,
                       boolean builtin, Map<String, NetworkMember> containers) {}

    /** POST /networks/create, after the API layer parsed it. {@code subnet}/{@code gateway} "" = from the pools. */
    record NetworkCreate(String name, String driver, String subnet, String gateway, boolean internal,
                         boolean attachable, Map<String, String> labels, Map<String, String> options,
                         boolean checkDuplicate) {}

    List<NetworkInfo> networks();

    NetworkInfo inspectNetwork(String ref) throws EngineException;

    /** @return the new network's id */
    String createNetwork(NetworkCreate request) throws EngineException;

    void removeNetwork(String ref) throws EngineException;

    /** Removes every user network no container uses; returns their names. */
    List<String> pruneNetworks(Map<String, List<String>> filters) throws EngineException;

    void connectNetwork(String network, String container, EndpointRequest endpoint) throws EngineException;

    void disconnectNetwork(String network, String container, boolean force) throws EngineException;

    // ---- I/O

    enum StreamType { STDIN, STDOUT, STDERR }

    /** Receives output; with a TTY everything arrives as STDOUT. */
    interface FrameSink {
        void frame(StreamType type, byte[] data, int offset, int length) throws IOException;
    }

    /**
     * An attached client (or a docker logs reader). {@link #pump} copies output to the sink until
     * the process's output ends or {@link #close} is called, which any thread may do (the API
     * server does when the client goes); {@link #stdin} (null unless asked for and open) feeds the
     * process, and closing it closes the process's stdin.
     */
    interface Attachment extends AutoCloseable {
        boolean tty();

        OutputStream stdin();

        void pump(FrameSink sink) throws IOException;

        @Override
        void close();
    }

    /**
     * docker attach / the attach of docker run. {@code logs}: replay what was written so far
     * first; {@code stream}: then follow live output.
     */
    Attachment attach(String id, boolean stdin, boolean stdout, boolean stderr, boolean logs, boolean stream)
            throws EngineException;

    record LogOptions(boolean stdout, boolean stderr, boolean follow, boolean timestamps, String tail /* "all" or N */,
                      Instant since, Instant until) {}

    /**
     * docker logs, as an attachment without stdin: its pump writes the frames; with follow it
     * returns when the container stops or the attachment is closed. A container that is not there
     * is an error here, before any frame.
     */
    Attachment logs(String id, LogOptions options) throws EngineException, IOException;

    // ---- exec

    record ExecSpec(List<String> cmd, List<String> env, String workingDir, String user, boolean tty,
                    boolean attachStdin, boolean attachStdout, boolean attachStderr) {}

    record ExecDetail(String id, String containerId, boolean running, Integer exitCode, int pid, ExecSpec spec) {}

    String createExec(String containerId, ExecSpec spec) throws EngineException;

    /** Starts the exec; attached unless {@code detach}. */
    Attachment startExec(String execId, boolean detach, boolean tty) throws EngineException;

    ExecDetail inspectExec(String execId) throws EngineException;

    void resizeExec(String execId, int height, int width) throws EngineException;
}
